/**
 * textkit's version, recorded in every run record and artifact and reported by the server.
 * One constant for every layer (core imports nothing); a test holds it equal to package.json's.
 */
export const TEXTKIT_VERSION = "0.1.0";
