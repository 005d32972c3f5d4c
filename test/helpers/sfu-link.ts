import { execFileSync } from 'node:child_process';
import { loadStack } from './stack.js';

/**
 * Drops, in this private network namespace, every packet to and from the SFU's signalling port and every media
 * packet (127.20.0.1 is the only address WebRTC uses here) until the returned function restores them; Matrix
 * traffic goes on. Used by the fault tests and the group-call benchmark.
 */
export function dropSfuLink(): () => void {
  const port = new URL(loadStack().livekitUrl).port;
  const nft = (command: string): void => {
    execFileSync('nft', command.split(' '));
  };
  nft('add table inet mxsfudrop');
  nft('add chain inet mxsfudrop out { type filter hook output priority 0 ; }');
  for (const rule of [`tcp dport ${port}`, `tcp sport ${port}`, 'ip saddr 127.20.0.1', 'ip daddr 127.20.0.1']) nft(`add rule inet mxsfudrop out ${rule} drop`);
  return () => nft('delete table inet mxsfudrop');
}
