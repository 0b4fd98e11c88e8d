// Ceiling: bare smtp-server that parses each message with postal-mime (the parser Plinth uses) and
// stores nothing.
import { startSmtpCeiling } from './smtp-ceiling.mjs';

startSmtpCeiling(null);
