import { expect } from '@open-wc/testing';
import {
  LEGACY_SLOT_ID,
  legacyLiveKitIdentity,
  liveKitIdentity,
  liveKitRoomAlias,
  unpaddedBase64,
} from '../../../services/rtc-auth/derive.js';

// Expected values were computed independently with node:crypto, e.g.
//   node -e 'const {createHash}=require("node:crypto");
//     console.log(createHash("sha256").update(JSON.stringify(["!roomid:example.com","slot1234"]),"utf8")
//       .digest("base64").replace(/=+$/,""))'
// The first two are also the MSC4195 appendix test vectors that lk-jwt-service (helper_test.go) and
// matrix-js-sdk (computeRtcIdentityRaw) check against.

describe('rtc-auth derive', () => {
  describe('unpaddedBase64', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    it('matches the Matrix spec examples (standard alphabet, no padding)', () => {
      expect(unpaddedBase64(bytes(''))).to.equal('');
      expect(unpaddedBase64(bytes('f'))).to.equal('Zg');
      expect(unpaddedBase64(bytes('fo'))).to.equal('Zm8');
      expect(unpaddedBase64(bytes('foo'))).to.equal('Zm9v');
      expect(unpaddedBase64(bytes('foob'))).to.equal('Zm9vYg');
      expect(unpaddedBase64(bytes('fooba'))).to.equal('Zm9vYmE');
      expect(unpaddedBase64(bytes('foobar'))).to.equal('Zm9vYmFy');
    });

    it('uses + and / rather than the URL-safe alphabet', () => {
      expect(unpaddedBase64(new Uint8Array([0xfb, 0xff]))).to.equal('+/8');
    });
  });

  describe('liveKitRoomAlias', () => {
    it('matches the MSC4195 test vector', async () => {
      expect(await liveKitRoomAlias('!roomid:example.com', 'slot1234')).to.equal('O8437W3+jmzMVjoIP3tNwbm+XxHQk2iKpOA7aqw3qSc');
    });

    it('matches a room call (legacy slot)', async () => {
      expect(LEGACY_SLOT_ID).to.equal('m.call#ROOM');
      expect(await liveKitRoomAlias('!abc:example.org', LEGACY_SLOT_ID)).to.equal('9YzbCxM8P0fwObUtiQ9m/ujMP9ruNMxS7SOsugBEaxA');
    });

    it('hashes the UTF-8 bytes of non-ASCII IDs', async () => {
      expect(await liveKitRoomAlias('!ünï:例え.jp', LEGACY_SLOT_ID)).to.equal('cslbfR5VH2afeTmJbca75WfHhYJ5CdAENEPl6Io89SY');
    });

    it('leaves <, > and & unescaped, as JSON.stringify and matrix-js-sdk do', async () => {
      expect(await liveKitRoomAlias('!a<b>&c:example.org', LEGACY_SLOT_ID)).to.equal('+i4WHmxOVfdSfFV+gM6DdLfTzkvWUho9HE1jkszDhbs');
    });

    it('keeps the two parts apart (a JSON array, not a concatenation)', async () => {
      expect(await liveKitRoomAlias('!a:b', 'c')).not.to.equal(await liveKitRoomAlias('!a', ':bc'));
    });

    it('is 43 characters without padding', async () => {
      const alias = await liveKitRoomAlias('!x:y', 'm.call#ROOM');
      expect(alias).to.have.length(43);
      expect(alias).not.to.contain('=');
    });
  });

  describe('liveKitIdentity', () => {
    it('matches the MSC4195 test vector', async () => {
      expect(await liveKitIdentity('@alice:example.com', 'DEVICE123', 'memberABC')).to.equal('J+T45tGruxc+HrUOqJJlyQSV33m728Cme4+vt8/SWrU');
    });

    it('matches a user:device member id', async () => {
      expect(await liveKitIdentity('@alice:example.org', 'DEVICEID', '@alice:example.org:DEVICEID'))
        .to.equal('IyyrOSt/oC3L/CjlDQ6jUXg/EP6optg7M7nFOi34hhM');
    });

    it('escapes quotes and backslashes as JSON', async () => {
      expect(await liveKitIdentity('@bob:localhost', 'DEV"1\\\\', 'm')).to.equal('Q4XXIcJot2PUx9GskN7z0ojENoE8Gek/Oc8vzm8OJOE');
    });
  });

  describe('legacyLiveKitIdentity', () => {
    it('is <mxid>:<device_id>, what m.call.member state events imply', () => {
      expect(legacyLiveKitIdentity('@alice:example.org', 'DEVICEID')).to.equal('@alice:example.org:DEVICEID');
    });
  });
});
