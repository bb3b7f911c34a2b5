/** New identifiers. Implementations return ids that sort in creation order. */
export interface IdGenerator {
  agreementId(): string;
}
