// @foliojs-fork/fontkit ships no types; pdf-lib declares the part of fontkit that it and the certificate use.
declare module '@foliojs-fork/fontkit' {
  import type { Fontkit } from 'pdf-lib/cjs/types/fontkit';
  const fontkit: Fontkit;
  export = fontkit;
}
