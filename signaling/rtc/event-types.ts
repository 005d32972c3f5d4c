// The MatrixRTC event types the kit reads and writes, in one place (modules of either weight import them).

/** The state event of Element Call's default membership form; a room's power levels decide who may send it. */
export const CALL_MEMBER_EVENT = 'org.matrix.msc3401.call.member';
/** The sticky event (MSC4354) of the newer membership form. */
export const RTC_MEMBER_EVENT = 'org.matrix.msc4143.rtc.member';
/** A call's ring or notification (MSC4075). */
export const RTC_NOTIFICATION_EVENT = 'org.matrix.msc4075.rtc.notification';
/** A declined ring (MSC4310). */
export const RTC_DECLINE_EVENT = 'org.matrix.msc4310.rtc.decline';
/** The older notification (MSC4075's first form), which clients of matrix-js-sdk before v43 still send. */
export const LEGACY_CALL_NOTIFY_EVENT = 'org.matrix.msc4075.call.notify';
