/**
 * Joint service reviews of an OLA or UC (issue 13 item 6): who met, what they found, and the actions agreed, each
 * with an owner and a deadline (the actions become tasks). Records are written once and never changed.
 */

export interface ReviewAction {
  id: string;
  description: string;
  owner: { name: string; email: string };
  /** YYYY-MM-DD. */
  dueDate: string;
  /** The task the action became (`tsk_…`). */
  taskId: string;
}

export interface ServiceReview {
  id: string;
  agreementId: string;
  /** When the review took place (YYYY-MM-DD). */
  date: string;
  attendees: { name: string; email: string; party: 'provider' | 'customer' | 'other' }[];
  findings: string[];
  actions: ReviewAction[];
  recordedAt: string;
  recordedBy: string;
  reason: string;
}

export interface ServiceReviewStore {
  /** Stores a review; ConflictError when one with this id exists. */
  create(review: ServiceReview): Promise<void>;
  get(id: string): Promise<ServiceReview | undefined>;
  /** The reviews of one agreement, the latest review date first (then the latest recorded). */
  list(agreementId: string): Promise<ServiceReview[]>;
}
