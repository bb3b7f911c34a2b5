// `npm start`'s entry point. First, for its effect: the log level must be in the environment before the logger is
// built. The rest is imported only then, dynamically: in the build (infra/local/build.ts) a static import would be
// evaluated first, since a bundle runs the shared chunks it imports before the entry's own code.
import './log-level.js';
// Then V8's heap growing factor, before the heap holds anything (heap.ts says why).
import './heap.js';

await import('./cli.js');
