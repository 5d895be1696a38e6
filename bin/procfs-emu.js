#!/usr/bin/env node
// The package's bin: the same program as `npm run -s emu --`.
import { register } from 'tsx/esm/api';

register();
await import('../scenarios/cli.ts');
