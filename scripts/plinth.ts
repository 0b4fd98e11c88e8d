#!/usr/bin/env node
// The `plinth` command. OpenTelemetry's instrumentations patch modules as they are imported, so when
// OTEL_EXPORTER_OTLP_ENDPOINT is set `plinth start` starts the SDK first and only then imports the
// CLI (and through it the app). core/observability/otel.ts imports OpenTelemetry itself only when
// started: without the variable nothing of it is loaded.
import { startOpenTelemetry, telemetryWanted } from '../core/observability/otel.js';

const [command = 'start'] = process.argv.slice(2);
if (command === 'start' && telemetryWanted(process.env)) await startOpenTelemetry();
await import('./cli.js');
