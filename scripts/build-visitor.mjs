#!/usr/bin/env node
// Bundles services/visitor into dist/visitor.mjs (see build-service.mjs); the service uses Node's own modules only.
import { buildService } from './build-service.mjs';

await buildService('visitor', 'main.ts', 'dist/visitor.mjs');
