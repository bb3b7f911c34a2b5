import type { Container } from '../../shared/runtime/container.js';
import type { LocalStream } from './stream.js';

/** Loads the demo portfolio (placeholder until the demo data lands). */
export async function loadDemo(_container: Container, _stream: LocalStream): Promise<string> {
  return 'not loaded yet';
}
