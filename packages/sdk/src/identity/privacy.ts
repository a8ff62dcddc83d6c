/** Global Privacy Control or Do-Not-Track: by default such a browser is not tracked. */
export const optedOut = () =>
  (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl || navigator.doNotTrack === '1';
