export { fileText, readLines, recomputeManifests, repackBundle, resealBundle, tamperBundle, textBytes, unpackBundle, writeLines } from './bag-editor';
export type { TBagFiles } from './bag-editor';
