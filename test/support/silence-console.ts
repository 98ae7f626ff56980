import { vi } from 'vitest';

// Handlers log through Powertools, which writes to process.stdout directly; tests that assert on
// log lines capture it themselves. Stray console output from libraries is noise.
vi.spyOn(console, 'log').mockImplementation(() => undefined);
vi.spyOn(console, 'info').mockImplementation(() => undefined);
vi.spyOn(console, 'warn').mockImplementation(() => undefined);
vi.spyOn(console, 'debug').mockImplementation(() => undefined);
