import { buildApp } from './build.js';

// `cdk synth` / `cdk deploy` entry point (cdk.json). Offline: no lookups, no credentials needed to synthesize.
const { app } = buildApp();
app.synth();
