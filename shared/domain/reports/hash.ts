import { canonicalJson, type Sha256 } from '../archive/chain.js';
import type { ReportModel } from './model.js';

/**
 * The report's hash: SHA-256 of the model's canonical JSON without its `hash` member. Every format of one
 * report carries it (printed on each PDF page, in the HTML footer and meta, in the CSV metadata, in the JSON),
 * so a reader can tie a PDF to the JSON it was made from and recompute the hash from the JSON.
 */
export function reportHash(model: ReportModel, sha256: Sha256): string {
  return sha256(canonicalJson({ ...model, hash: undefined }));
}

/** The model with its hash set. */
export function sealReport(model: ReportModel, sha256: Sha256): ReportModel {
  return { ...model, hash: reportHash(model, sha256) };
}
