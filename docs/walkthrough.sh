#!/usr/bin/env bash
# The README's curl walk-through, runnable: start `npm start` (or `npm start -- --demo`) in another terminal first.
# Register a service, draft an SLA, submit it, collect the sign-offs, activate it, read the audit trail.
#
# Rerunnable: a service already registered (by an earlier run, or the demo's) is used as it is, and each run drafts a
# new agreement, so running it twice on the same database works. The sign-offs asked for are the ones the API
# answers (a tier-1 service asks for more than a tier-2 one). A step that fails stops the script with one line on
# stderr naming the step, the request, the status and the API's words, and exit status 1.
#
# Needs bash (3.2 or newer), curl and jq; GNU and BSD tools alike (no GNU-only flags: test/unit/shell-portability.test.ts).
# Environment: BASE (default http://localhost:3000), CREDS (default .accord/dev-credentials.json), SERVICE (default
# svc_card-authorisation, which the development service owner owns).
set -euo pipefail
BASE=${BASE:-http://localhost:3000}
CREDS=${CREDS:-.accord/dev-credentials.json}
SERVICE=${SERVICE:-svc_card-authorisation}
STEP='0 (setup)'
OUT=$(mktemp "${TMPDIR:-/tmp}/accord-walkthrough.XXXXXX")
trap 'rm -f "$OUT"' EXIT

fail() {
  echo "walkthrough: step $STEP failed: $*" >&2
  exit 1
}
command -v curl >/dev/null 2>&1 || fail 'needs curl on the PATH'
command -v jq >/dev/null 2>&1 || fail 'needs jq on the PATH'
[ -r "$CREDS" ] || fail "no development credentials at $CREDS: start Accord with npm start first (or set CREDS)"

# call STATUS METHOD PATH TOKEN [BODY] [IF-MATCH]: prints the answer's body; any other status than STATUS stops here.
call() {
  local want=$1 method=$2 path=$3 token=$4 body=${5:-} version=${6:-} code
  local args=(-s -o "$OUT" -w '%{http_code}' -X "$method" "$BASE$path" -H "Authorization: Bearer $token")
  if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$body"); fi
  if [ -n "$version" ]; then args+=(-H "If-Match: \"$version\""); fi
  code=$(curl "${args[@]}") || fail "$method $path: no answer from $BASE (is npm start running there?)"
  if [ "$code" != "$want" ]; then
    fail "$method $path answered $code, not $want: $(jq -r '.error.message + ((.error.details // []) | map("; " + .path + " " + .problem) | join(""))' "$OUT" 2>/dev/null || head -c 300 "$OUT")"
  fi
  cat "$OUT"
}
token() {
  jq -er ".tokens[\"$1\"].token" "$CREDS" 2>/dev/null || fail "no development identity $1 in $CREDS"
}
# The development identity that signs in a capacity (.accord/dev-credentials.json).
signer() {
  case $1 in
    service-owner) echo service-owner ;;
    business-owner) echo approver-business ;;
    governance-board) echo approver-board ;;
    legal | procurement | security | finance) echo "approver-$1" ;;
    *) fail "no development identity signs as $1" ;;
  esac
}

MANAGER=$(token sla-manager); AUDITOR=$(token auditor)
# Dates in the agreement's zone; jq does the arithmetic (date -d is GNU's, date -v BSD's).
TODAY=$(TZ=Europe/London date +%Y-%m-%d)
NEXT_YEAR=$(TZ=Europe/London jq -rn 'now + 364 * 86400 | strflocaltime("%Y-%m-%d")')
REVIEW=$(TZ=Europe/London jq -rn 'now + 180 * 86400 | strflocaltime("%Y-%m-%d")')

STEP='1 (register the service)'
echo "# 1. Register the service $SERVICE (tier 2, owned by payments, data resident in eu-west-1)"
code=$(curl -s -o "$OUT" -w '%{http_code}' "$BASE/v1/services/$SERVICE" -H "Authorization: Bearer $MANAGER") ||
  fail "GET /v1/services/$SERVICE: no answer from $BASE (is npm start running there?)"
if [ "$code" = 200 ]; then
  echo "already registered (an earlier run or the demo): using it as it is"
  jq -c '{id, tier, version}' "$OUT"
else
  call 201 POST /v1/services "$MANAGER" '{
    "id": "'"$SERVICE"'", "name": "Card authorisation", "tier": 2, "businessUnit": "payments",
    "residencyRegion": "eu-west-1", "cmdbCi": "CI1002", "owner": {"name": "Owen Service", "email": "owen.service@accord.local"},
    "reason": "card authorisation moves under SLA management"}' | jq -c '{id, tier, version}'
fi

STEP='2 (draft an SLA)'
echo '# 2. Draft an SLA for retail banking'
DRAFT=$(call 201 POST /v1/agreements "$MANAGER" '{
  "kind": "SLA", "title": "Card authorisation SLA for retail banking",
  "serviceId": "'"$SERVICE"'", "businessUnit": "payments",
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
  "reason": "new SLA requested by retail banking"}')
AGR=$(echo "$DRAFT" | jq -r .id)
V=$(echo "$DRAFT" | jq -r .version)
echo "agreement $AGR, version $V"

STEP='3 (submit)'
echo "# 3. Submit it (If-Match carries the version you read: \"$V\")"
SUBMITTED=$(call 200 POST "/v1/agreements/$AGR/submit" "$MANAGER" '{"reason": "ready for sign-off"}' "$V")
echo "$SUBMITTED" | jq -c '{status, version, requiredSignOffs: [.requiredSignOffs[].capacity]}'
V=$(echo "$SUBMITTED" | jq -r .version)

STEP='4 (activate too early)'
echo '# 4. Activating now is refused (409): sign-offs are missing'
call 409 POST "/v1/agreements/$AGR/activate" "$MANAGER" '{"reason": "too early"}' "$V" | jq -r .error.message

STEP='5 (sign off)'
echo '# 5. Each required capacity signs off, each by a different person'
for capacity in $(echo "$SUBMITTED" | jq -r '.requiredSignOffs[].capacity'); do
  STEP="5 (sign off as $capacity)"
  who=$(signer "$capacity")
  V=$(call 200 POST "/v1/agreements/$AGR/signoffs" "$(token "$who")" \
    '{"capacity": "'"$capacity"'", "decision": "approved", "reason": "terms reviewed and accepted"}' "$V" | jq -r .version)
  echo "$capacity: approved by $who (version $V)"
done

STEP='6 (activate)'
echo '# 6. Activate'
call 200 POST "/v1/agreements/$AGR/activate" "$MANAGER" '{"reason": "go-live"}' "$V" | jq -c '{status, version, activatedAt}'

STEP='7 (audit trail)'
echo '# 7. The audit trail: who, when, why, and what changed'
call 200 GET "/v1/agreements/$AGR/audit" "$AUDITOR" | jq -c '.items[] | {version, by, change, reason, changed: [.diff[].path]}'
echo "walkthrough: done ($AGR is active)"
