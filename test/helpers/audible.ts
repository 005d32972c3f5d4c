/**
 * Received audio energy (getStats totalAudioEnergy) above which a test counts the peer as heard. Silence and
 * comfort noise add about 1e-10; a second of the fake microphone's beep adds about 0.1.
 */
export const AUDIBLE_ENERGY = 1e-3;
