#!/usr/bin/env node
// The package's bin: the compiled command line (`npm run build` writes dist/).
// In the repository, `npm run -s emu --` runs the same program from the sources.
import '../dist/scenarios/cli.js';
