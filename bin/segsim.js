#!/usr/bin/env node
// The binary runs the bundled build (dist/bundle, made by `npm run build`): one file to load
// instead of ~80 modules keeps a one-shot command close to a bare `node` start.
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
