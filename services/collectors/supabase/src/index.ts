// Public face of the Supabase collector.
export { supabaseSource, supabaseDrainSource, toLogMessage, SUPABASE_TABLES, type SupabaseTable } from "./source.ts";
