#!/usr/bin/env node
import { main } from '../dist/cockpit.js';

process.exitCode = await main(process.argv.slice(2));
