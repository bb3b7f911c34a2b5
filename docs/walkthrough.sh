#!/usr/bin/env bash
# The README's curl walk-through, runnable: start `npm start` in another terminal first.
# Register a service, draft an SLA, submit it, collect the sign-offs, activate it, read the audit trail.
set -euo pipefail
BASE=${BASE:-http://localhost:3000}
CREDS=${CREDS:-.accord/dev-credentials.json}
token() { jq -r ".tokens[\"$1\"].token" "$CREDS"; }
MANAGER=$(token sla-manager); OWNER=$(token service-owner); BUSINESS=$(token approver-business); AUDITOR=$(token auditor)
TODAY=$(TZ=Europe/London date +%F); NEXT_YEAR=$(TZ=Europe/London date -d '+364 days' +%F); REVIEW=$(TZ=Europe/London date -d '+180 days' +%F)

echo '# 1. Register a service (tier 2, owned by payments, data resident in eu-west-1)'
curl -sf -X POST "$BASE/v1/services" -H "Authorization: Bearer $MANAGER" -H 'Content-Type: application/json' -d '{
  "id": "svc_card-authorisation", "name": "Card authorisation", "tier": 2, "businessUnit": "payments",
  "residencyRegion": "eu-west-1", "cmdbCi": "CI1002", "owner": {"name": "Owen Service", "email": "owen.service@accord.local"},
  "reason": "card authorisation moves under SLA management"
}' | jq '{id, tier, version}'

echo '# 2. Draft an SLA for retail banking'
AGR=$(curl -sf -X POST "$BASE/v1/agreements" -H "Authorization: Bearer $MANAGER" -H 'Content-Type: application/json' -d '{
  "kind": "SLA", "title": "Card authorisation SLA for retail banking",
  "serviceId": "svc_card-authorisation", "businessUnit": "payments",
  "parties": {"provider": {"type": "business-unit", "businessUnit": "payments"},
              "customer": {"type": "business-unit", "businessUnit": "retail-banking"}},
  "scope": {"inclusions": ["card authorisation API"], "exclusions": ["test cards"]},
  "timeZone": "Europe/London", "supportedHours": {"kind": "always"},
  "objectives": [{"id": "availability", "name": "Availability", "sli": {"type": "availability"}, "target": 99.95,
    "window": {"type": "calendar", "unit": "month"}, "budgetingMethod": "occurrences", "monitoring": "alerted",
    "owner": {"name": "Owen Service", "email": "owen.service@accord.local"},
    "customerContact": {"name": "Rita Retail", "email": "rita.retail@accord.local"}}],
  "reviewCycle": {"everyMonths": 12, "nextReviewDate": "'"$REVIEW"'"},
  "jurisdiction": {"governingLaw": "England and Wales", "country": "GB"},
  "dataResidency": {"region": "eu-west-1"},
  "effectiveFrom": "'"$TODAY"'", "effectiveTo": "'"$NEXT_YEAR"'",
  "reason": "new SLA requested by retail banking"
}' | jq -r .id)
echo "agreement $AGR"

echo '# 3. Submit it (If-Match carries the version you read: "1")'
curl -sf -X POST "$BASE/v1/agreements/$AGR/submit" -H "Authorization: Bearer $MANAGER" -H 'If-Match: "1"' \
  -H 'Content-Type: application/json' -d '{"reason": "ready for sign-off"}' | jq '{status, version, requiredSignOffs}'

echo '# 4. Activating now is refused: sign-offs are missing'
curl -s -X POST "$BASE/v1/agreements/$AGR/activate" -H "Authorization: Bearer $MANAGER" -H 'If-Match: "2"' \
  -H 'Content-Type: application/json' -d '{"reason": "too early"}' | jq .error.message

echo '# 5. The service owner and the customer business owner sign off'
curl -sf -X POST "$BASE/v1/agreements/$AGR/signoffs" -H "Authorization: Bearer $OWNER" -H 'If-Match: "2"' \
  -H 'Content-Type: application/json' -d '{"capacity": "service-owner", "decision": "approved", "reason": "capacity confirmed"}' | jq '{status, version}'
curl -sf -X POST "$BASE/v1/agreements/$AGR/signoffs" -H "Authorization: Bearer $BUSINESS" -H 'If-Match: "3"' \
  -H 'Content-Type: application/json' -d '{"capacity": "business-owner", "decision": "approved", "reason": "meets our needs"}' | jq '{status, version}'

echo '# 6. Activate'
curl -sf -X POST "$BASE/v1/agreements/$AGR/activate" -H "Authorization: Bearer $MANAGER" -H 'If-Match: "4"' \
  -H 'Content-Type: application/json' -d '{"reason": "go-live"}' | jq '{status, version, activatedAt}'

echo '# 7. The audit trail: who, when, why, and what changed'
curl -sf "$BASE/v1/agreements/$AGR/audit" -H "Authorization: Bearer $AUDITOR" | jq -c '.items[] | {version, by, change, reason, changed: [.diff[].path]}'
