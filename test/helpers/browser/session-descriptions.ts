// Real session descriptions from peer connections in the test page, for feeding the call code as a peer's.

/** A real offer from a peer connection in this page: audio sent from a stream, as matrix-js-sdk sends it. */
export async function makeAudioOffer(): Promise<{ sdp: string; streamId: string }> {
  const pc = new RTCPeerConnection();
  const stream = new MediaStream();
  pc.addTransceiver('audio', { direction: 'sendrecv', streams: [stream] });
  const offer = await pc.createOffer();
  pc.close();
  return { sdp: offer.sdp ?? '', streamId: stream.id };
}

/** A real answer to `offer` from a fresh peer connection in this page. */
export async function makeAnswer(offer: string): Promise<string> {
  const pc = new RTCPeerConnection();
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  const answer = await pc.createAnswer();
  pc.close();
  return answer.sdp ?? '';
}
