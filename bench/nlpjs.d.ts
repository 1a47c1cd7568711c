// The few parts of nlp.js (the TypeScript-world peer in bench:classify) that the benchmark uses;
// the packages ship no types.
declare module "@nlpjs/core" {
  export interface NlpInstance {
    settings: Record<string, unknown>;
    addLanguage(lang: string): void;
    addDocument(lang: string, text: string, intent: string | undefined): void;
    train(): Promise<void>;
    process(lang: string, text: string): Promise<{ intent: string; score: number }>;
  }
  export interface Container {
    use(plugin: unknown): void;
    get(name: "nlp"): NlpInstance;
  }
  export function containerBootstrap(): Promise<Container>;
}
declare module "@nlpjs/nlp" {
  export const Nlp: unknown;
}
declare module "@nlpjs/lang-en-min" {
  export const LangEn: unknown;
}
