/**
 * Ports of the reports: where a published report goes (delivery), and where owners' commentary comes from.
 *
 * Both sit on the workflows work (issue 11): ReportDelivery on its notifier (shared/usecases/reports/delivery.ts:
 * distribution lists resolved to addresses, the archived files attached), CommentaryWindow on its people's tasks
 * (shared/usecases/reports/commentary.ts: a task per owner of a missed objective, reminders, closed with the window).
 */
import type { ContactInfo } from '../domain/reports/figures.js';
import type { Audience, Commentary } from '../domain/reports/model.js';

/** Who a delivery is for: people by role (and sign-off capacity), and named people (owners). */
export interface DeliveryRecipients {
  roles: string[];
  capacities: string[];
  audience: Audience;
  party?: string | undefined;
  /** The business unit the report is scoped to, if any: lists bound to another business unit never match. */
  businessUnit?: string | undefined;
  people: ContactInfo[];
}

export interface Delivery {
  id: string;
  kind: 'report' | 'commentary-request' | 'anomaly-alert' | 'report-held';
  scheduleId?: string | undefined;
  recipients: DeliveryRecipients;
  subject: string;
  /** Paragraphs, separated by blank lines. */
  text: string;
  /** Key figures as shown in the report (already redacted for its audience). */
  figures?: { label: string; value: string }[] | undefined;
  /** The report's files, each as archived under `archiveKey` (bytes and SHA-256 as the manifest recorded them). */
  attachments: {
    fileName: string;
    contentType: string;
    body: Uint8Array;
    sha256: string;
    archiveKey: string;
  }[];
  /** The report's id and hash (its canonical JSON's SHA-256), when the delivery carries a report. */
  reportId?: string | undefined;
  reportHash?: string | undefined;
  /** Archive keys of what was published (a recipient can verify the attachment against the archive). */
  archiveKeys: string[];
}

export interface ReportDelivery {
  /** Hands a delivery over; resolves once it is durably queued (not necessarily sent). */
  deliver(d: Delivery): Promise<void>;
}

export interface CommentaryRequest {
  /** `<schedule id>-<period>`: the same for the run that opens the window and the run that publishes. */
  publicationId: string;
  scheduleId: string;
  period: string;
  closesAt: string;
  objectives: {
    agreementId: string;
    objectiveId: string;
    owner: ContactInfo;
    compliance: number | null;
    target: number;
  }[];
}

/** Where a publication's commentary window stands. */
export interface CommentaryState {
  /** Owners asked (one task each). */
  asked: number;
  /** Still waiting for an answer. */
  pending: number;
  /** The report published with this window's commentary, once it is. */
  publishedReportId?: string | undefined;
}

export interface CommentaryWindow {
  /** Asks the owners of the objectives that missed to explain the deviation and the remediation. */
  open(req: CommentaryRequest): Promise<void>;
  /** Commentary given for a publication so far (all of it is part of the report and of its hash). */
  collect(publicationId: string): Promise<Commentary[]>;
  /** How many were asked, how many still wait, and whether the report went out. */
  state(publicationId: string): Promise<CommentaryState>;
  /** Closes the window: requests still waiting expire (nobody can answer them any more). */
  close(publicationId: string): Promise<number>;
  /** Records that the publication's report went out with this window's commentary. */
  published(publicationId: string, reportId: string): Promise<void>;
  /** Sends what is due at `now`: reminders before the close, and overdue reminders while a report is held. */
  remind(policy: { remindHoursBefore: number[]; heldRemindEveryHours: number }): Promise<number>;
}
