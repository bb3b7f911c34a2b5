import type { Commentary } from '../../domain/reports/model.js';
import type {
  CommentaryRequest,
  CommentaryState,
  CommentaryWindow,
  Delivery,
  ReportDelivery,
} from '../../ports/reports.js';
import { logger } from '../../runtime/powertools.js';

/**
 * Deliveries on AWS where the workflows (and their notifier) are not deployed: what would be sent is logged (recipients by role, subject, archive keys, attachment hashes; never the attachments). The
 * published files are in the archive either way.
 */
export class LogReportDelivery implements ReportDelivery {
  async deliver(d: Delivery): Promise<void> {
    logger.info('report delivery (not sent: the workflows are not deployed here)', {
      deliveryId: d.id,
      kind: d.kind,
      scheduleId: d.scheduleId,
      roles: d.recipients.roles,
      capacities: d.recipients.capacities,
      people: d.recipients.people.length,
      subject: d.subject,
      archiveKeys: d.archiveKeys,
      attachments: d.attachments.map((a) => ({
        fileName: a.fileName,
        sha256: a.sha256,
        size: a.body.byteLength,
      })),
    });
  }
}

/** Commentary windows on AWS where the workflows are not deployed (no task store): logged; no commentary comes back. */
export class LogCommentaryWindow implements CommentaryWindow {
  async open(req: CommentaryRequest): Promise<void> {
    logger.info('report commentary window (no task created: the workflows are not deployed here)', {
      publicationId: req.publicationId,
      closesAt: req.closesAt,
      objectives: req.objectives.length,
    });
  }
  async collect(_publicationId: string): Promise<Commentary[]> {
    return [];
  }
  async state(_publicationId: string): Promise<CommentaryState> {
    return { asked: 0, pending: 0 };
  }
  async close(_publicationId: string): Promise<number> {
    return 0;
  }
  async published(_publicationId: string, _reportId: string): Promise<void> {}
  async remind(): Promise<number> {
    return 0;
  }
}
