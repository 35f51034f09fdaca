#!/usr/bin/env node
// The `tg4` command. The project is TypeScript run through tsx's loader, so a fresh `npm ci` needs no build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
