export { STREAM_PURPOSES, type CallFeed, type StreamPurpose } from './feed.js';
export {
  DEVICE_KINDS,
  MEDIA_DEVICES_STATUSES,
  isDeviceKind,
  type DeviceKind,
  type DeviceSelection,
  type MediaDeviceOption,
  type MediaDevicesSnapshot,
  type MediaDevicesSource,
  type MediaDevicesStatus,
} from './media.types.js';
export { getUserMedia, getDisplayMedia, type UserMediaRequest, type DisplayMediaRequest } from './user-media.js';
export { watchMediaPermissions, type MediaPermissionWatch, type PermissionsSource } from './environment.js';
export {
  MediaDevicesStore,
  createMediaDevicesStore,
  MEDIA_DEVICES_STORAGE_KEY,
  type MediaDevicesStoreOptions,
  type MediaDevicesPort,
  type DeviceChoiceStorage,
} from './media-devices-store.js';
