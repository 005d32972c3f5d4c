#!/usr/bin/env node
// Bundles services/rtc-auth into dist/rtc-auth.mjs (see build-service.mjs).
import { buildService } from './build-service.mjs';

await buildService('rtc-auth', 'main.ts', 'dist/rtc-auth.mjs');
