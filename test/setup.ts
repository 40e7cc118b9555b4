// Runs in every test file (vitest setupFiles): what a file left behind goes when it ends.
import { cleanUpAfterFile } from './helpers/cleanup.js';

afterAll(cleanUpAfterFile);
