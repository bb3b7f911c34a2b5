import type { Commentary } from '../../domain/reports/model.js';
import type {
  CommentaryRequest,
  CommentaryState,
  CommentaryWindow,
  Delivery,
  ReportDelivery,
} from '../../ports/reports.js';

/** Deliveries kept in memory (tests): what the notifier would have been handed. */
export class MemoryReportDelivery implements ReportDelivery {
  readonly sent: Delivery[] = [];
  async deliver(d: Delivery): Promise<void> {
    this.sent.push(d);
  }
}

/** Commentary windows in memory (tests): requests recorded, commentary added by hand. */
export class MemoryCommentaryWindow implements CommentaryWindow {
  readonly opened: CommentaryRequest[] = [];
  private readonly given = new Map<string, Commentary[]>();
  async open(req: CommentaryRequest): Promise<void> {
    this.opened.push(req);
  }
  async collect(publicationId: string): Promise<Commentary[]> {
    return [...(this.given.get(publicationId) ?? [])];
  }
  async state(publicationId: string): Promise<CommentaryState> {
    const asked = this.opened.filter((r) => r.publicationId === publicationId).flatMap((r) => r.objectives);
    return {
      asked: asked.length,
      pending: 0,
      publishedReportId: this.publishedAs.get(publicationId),
    };
  }
  async close(_publicationId: string): Promise<number> {
    return 0;
  }
  readonly publishedAs = new Map<string, string>();
  async published(publicationId: string, reportId: string): Promise<void> {
    this.publishedAs.set(publicationId, reportId);
  }
  async remind(): Promise<number> {
    return 0;
  }
  /** What an owner's task would record when they answer. */
  add(publicationId: string, c: Commentary): void {
    this.given.set(publicationId, [...(this.given.get(publicationId) ?? []), c]);
  }
}
