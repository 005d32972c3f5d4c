// Types only (never rendered): what the wrappers and React 19's plain tags must accept and refuse.
import type { CallHandle, GroupCallHandle, GroupRing, MxCallEndedEvent, MxDeviceChangeEvent } from 'matrix-call-kit';
import type {} from 'matrix-call-kit/jsx';
import { MxCall, MxCallButton, MxGroupCall, MxIncomingCall, MxLobby, MxParticipantList } from 'matrix-call-kit/react';

export function Wrappers({ call, groupCall, ring }: { call: CallHandle | undefined; groupCall: GroupCallHandle | undefined; ring: GroupRing | undefined }) {
  return (
    <>
      <MxGroupCall call={groupCall} layout="spotlight" onMxLeaveRequest={(event) => event.preventDefault()} />
      {/* @ts-expect-error layout is grid or spotlight */}
      <MxGroupCall layout="carousel" />
      {/* @ts-expect-error a group call's handle, not a 1:1 call's */}
      <MxGroupCall call={call} />
      <MxParticipantList call={groupCall} announce />
      {/* @ts-expect-error a group call's handle, not a 1:1 call's */}
      <MxParticipantList call={call} />
      <MxLobby roomName="Standup" participantCount={3} onMxJoinRequest={(event) => console.info(event.detail.microphoneMuted)} />
      {/* @ts-expect-error participantCount is a number */}
      <MxLobby participantCount="three" />
      <MxIncomingCall ring={ring} onMxRingJoinRequest={(event) => console.info(event.detail.roomId, event.detail.intent)} />
      {/* @ts-expect-error ring is a group call's ring, not a 1:1 call's handle */}
      <MxIncomingCall ring={call} />
      <MxCall call={call} sinkId="default" onMxCallEnded={(event) => console.info(event.detail.reason)} />
      <MxCallButton user="@support:example.org" kind="voice" visitorService="https://example.org" />
      {/* @ts-expect-error sinkId is a string */}
      <MxCall sinkId={42} />
      {/* @ts-expect-error call is a call handle */}
      <MxCall call="not a call" />
      {/* @ts-expect-error mx-call-ended carries an MxCallEndedEvent */}
      <MxCall onMxCallEnded={(event: MxDeviceChangeEvent) => console.info(event.detail)} />
    </>
  );
}

export function PlainTags({ call }: { call: CallHandle | undefined }) {
  const onEnded = (event: MxCallEndedEvent) => console.info(event.detail.reason);
  return (
    <>
      <mx-call call={call} sinkId="default" onmx-call-ended={onEnded} />
      {/* @ts-expect-error sinkId is a string */}
      <mx-call sinkId={42} />
      {/* @ts-expect-error call is a call handle */}
      <mx-call call="not a call" />
    </>
  );
}
