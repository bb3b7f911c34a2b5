import { buildLocalServer } from '../../infra/local/build.js';

let built: Promise<string> | undefined;

/**
 * The path of the local server's build (`dist/local/main.js`), built once per test process by the very function
 * `npm start`'s prestart runs, so the end-to-end tests that start a server start what users run. Builds from
 * several test processes at once are safe: each output file is renamed into place whole.
 */
export function builtServer(): Promise<string> {
  built ??= buildLocalServer();
  return built;
}
