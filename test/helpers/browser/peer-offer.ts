/** A real offer from a peer connection in this page: audio sent from a stream, as matrix-js-sdk sends it. */
export async function makeAudioOffer(): Promise<{ sdp: string; streamId: string }> {
  const pc = new RTCPeerConnection();
  const stream = new MediaStream();
  pc.addTransceiver('audio', { direction: 'sendrecv', streams: [stream] });
  const offer = await pc.createOffer();
  pc.close();
  return { sdp: offer.sdp ?? '', streamId: stream.id };
}
