// Public face of the Supabase collector.
export { supabaseSource, supabaseDrainSource, toLogMessage, SUPABASE_TABLES, type SupabaseTable } from "./source.ts";
export { parseSupabaseCollectorEnv, supabaseCollectorEnvSchema, type SupabaseCollectorEnv } from "./config.ts";
