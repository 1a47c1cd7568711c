export type { Artifact, ArtifactManifest, FileEntry, ManifestInput } from "./artifact.ts";
export {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  bytesOf,
  float32FromBuffer,
  int32FromBuffer,
  listArtifacts,
  looksLikeArtifact,
  readArtifact,
  writeArtifact,
} from "./artifact.ts";
