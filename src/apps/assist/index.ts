export type { ActionCallOptions, ActionOutcome, ActionRequest } from "./action.ts";
export { callAction } from "./action.ts";
export type {
  ActionResult,
  AssistantOptions,
  AssistantTraining,
  AssistantValidation,
  Classification,
  ConversationState,
  FormPhase,
  IntentScore,
  LabelledQuestion,
  Reply,
  ReplyPath,
  RespondContext,
} from "./assistant.ts";
export {
  ASSISTANT_FAMILY,
  Assistant,
  DEFAULT_ASSISTANT_OPTIONS,
  FORM_PHASES,
  loadAssistant,
  NEW_CONVERSATION,
  OUT_OF_SCOPE,
  REPLY_PATHS,
  trainAssistant,
} from "./assistant.ts";
export type { HeldOutDecision, ThresholdChoice } from "./calibration.ts";
export { applyTemperature, chooseThreshold, fitTemperature } from "./calibration.ts";
export type { Confirmation } from "./confirmation.ts";
export { confirmationOf } from "./confirmation.ts";
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
