import { expect } from '@open-wc/testing';
import { escapeRegex, registrationYaml, visitorUserRegex } from '../../../services/visitor/registration.js';

describe('visitor application-service registration', () => {
  it('the namespace matches the IDs the service makes, on its server only', () => {
    const regex = new RegExp(`^${visitorUserRegex('visitor-', 'example.org')}$`);
    expect(regex.test('@visitor-k3j2h4g5:example.org')).to.equal(true);
    for (const id of ['@visitor-k3j2:exampleXorg', '@visitor-:example.org', '@visitor-ABC:example.org', '@support:example.org', '@visitor-a:example.org.evil']) {
      expect(regex.test(id), id).to.equal(false);
    }
  });

  it('escapes regex characters of the prefix and server name', () => {
    expect(escapeRegex('a.b+c[d]')).to.equal('a\\.b\\+c\\[d\\]');
    expect(visitorUserRegex('v.', 'localhost:8448')).to.equal('@v\\.[a-z0-9]+:localhost:8448');
  });

  it('writes the registration Synapse loads', () => {
    expect(registrationYaml({
      id: 'visitors',
      asToken: 'as-token-0123456789',
      hsToken: 'hs-token-0123456789',
      senderLocalpart: 'visitor-service',
      localpartPrefix: 'visitor-',
      serverName: 'example.org',
    })).to.equal([
      '# Application service registration of the matrix-call-kit visitor service.',
      '# Load it in the homeserver (Synapse: app_service_config_files) and restart it.',
      'id: "visitors"',
      'url: null',
      'as_token: "as-token-0123456789"',
      'hs_token: "hs-token-0123456789"',
      'sender_localpart: "visitor-service"',
      'rate_limited: true',
      'namespaces:',
      '  users:',
      '    - exclusive: true',
      '      regex: "@visitor-[a-z0-9]+:example\\\\.org"',
      '  aliases: []',
      '  rooms: []',
      '',
    ].join('\n'));
  });
});
