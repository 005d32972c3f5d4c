import { expect } from '@open-wc/testing';
import { createLogger, formatLogLine, type LogLevel } from '../../../services/shared/log.js';

const NOW = new Date('2026-01-02T03:04:05.678Z');

describe('services log (shared by rtc-auth and visitor)', () => {
  it('writes one line: time, level, message, key=value', () => {
    expect(formatLogLine('warn', 'refused POST /get_token: bad', { status: 401, user: '@a:b', skipped: undefined }, NOW))
      .to.equal('2026-01-02T03:04:05.678Z WARN refused POST /get_token: bad status=401 user=@a:b');
  });

  it('quotes values with spaces or quotes', () => {
    expect(formatLogLine('info', 'm', { reason: 'two words', q: 'a"b' }, NOW))
      .to.equal('2026-01-02T03:04:05.678Z INFO m reason="two words" q="a\\"b"');
  });

  it('escapes control characters so request data cannot start a new line', () => {
    const line = formatLogLine('info', 'user @evil:x\n2026-01-01T00:00:00.000Z INFO forged', { claimed: '@a:b\r\nfake' }, NOW);
    expect(line).not.to.match(/[\r\n]/);
    expect(line).to.contain('\\u000a');
    expect(line).to.contain('claimed="@a:b\\r\\nfake"');
  });

  it('drops lines below the configured level', () => {
    const written: Array<[LogLevel, string]> = [];
    const logger = createLogger('warn', (level, line) => written.push([level, line]));
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(written.map(([level]) => level)).to.deep.equal(['warn', 'error']);
  });
});
