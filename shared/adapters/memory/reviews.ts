import { ConflictError } from '../../domain/errors.js';
import type { ServiceReview, ServiceReviewStore } from '../../ports/reviews.js';

const byLatest = (a: ServiceReview, b: ServiceReview) =>
  b.date.localeCompare(a.date) || b.recordedAt.localeCompare(a.recordedAt) || b.id.localeCompare(a.id);

/** Joint service reviews in memory (tests). */
export class MemoryServiceReviewStore implements ServiceReviewStore {
  private readonly rows = new Map<string, ServiceReview>();

  async create(review: ServiceReview): Promise<void> {
    if (this.rows.has(review.id)) throw new ConflictError(`review ${review.id} exists`);
    this.rows.set(review.id, structuredClone(review));
  }

  async get(id: string): Promise<ServiceReview | undefined> {
    const r = this.rows.get(id);
    return r && structuredClone(r);
  }

  async list(agreementId: string): Promise<ServiceReview[]> {
    return [...this.rows.values()]
      .filter((r) => r.agreementId === agreementId)
      .sort(byLatest)
      .map((r) => structuredClone(r));
  }
}
