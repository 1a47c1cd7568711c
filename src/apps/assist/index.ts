export type { ActionCallOptions, ActionOutcome, ActionRequest } from "./action.ts";
export { callAction } from "./action.ts";
export type { AssistantOptions, IntentModel } from "./assistant.ts";
export { Assistant, DEFAULT_ASSISTANT_OPTIONS } from "./assistant.ts";
export type { AssistantEncoderRuntime, EncoderSource, OpenedAssistantEncoder } from "./assistant-encoder.ts";
export type {
  AssistantEncoderRef,
  AssistantEncoderTraining,
  AssistantTraining,
  AssistantValidation,
  Classification,
  LabelledQuestion,
} from "./assistant-types.ts";
export { ASSISTANT_FAMILY, OUT_OF_SCOPE } from "./assistant-types.ts";
export type { HeldOutDecision, ThresholdChoice } from "./calibration.ts";
export { applyTemperature, chooseThreshold, fitTemperature } from "./calibration.ts";
export type { Confirmation } from "./confirmation.ts";
export { confirmationOf } from "./confirmation.ts";
export type { ConversationState, FormPhase } from "./conversation-state.ts";
export { FORM_PHASES, NEW_CONVERSATION } from "./conversation-state.ts";
export type { AssistantReport } from "./evaluate.ts";
export { evaluateAssistant, readQuestions } from "./evaluate.ts";
export { documentRef, loadKnowledge } from "./knowledge.ts";
export { applyKnowledgeEdits, parseKnowledgeItem } from "./knowledge-edits.ts";
export type {
  AssistantSettings,
  Faq,
  Intent,
  IntentAction,
  Knowledge,
  KnowledgeDocument,
  KnowledgeItemKind,
  SlotSpec,
} from "./knowledge-types.ts";
export type { AssistantRuntime } from "./load-assistant.ts";
export { loadAssistant } from "./load-assistant.ts";
export type { ActionResult, IntentScore, Reply, ReplyPath, RespondContext } from "./reply.ts";
export { REPLY_PATHS } from "./reply.ts";
export type { FoundEntity, SlotValues } from "./slots.ts";
export { fillSlots, missingSlot, numbersOf, renderAnswer } from "./slots.ts";
export type {
  Conversation,
  Feedback,
  Handover,
  KnowledgeEdit,
  RecordedTurn,
  Turn,
  Verdict,
} from "./store.ts";
export { AssistStore, VERDICTS } from "./store.ts";
export { trainAssistant } from "./train-assistant.ts";
