/**
 * What the SQL classifier knows about functions. A function not known here is `unknown`: it may
 * write, and "unknown functions in writes are not safe" (SECURITY.md). Names are lower case and
 * unqualified (`pg_catalog.` is stripped by the caller); other schemas are user code.
 */
import type { RiskClass } from '../../core/assessment.js';

/** A function known to change state or availability. */
export interface FunctionFact {
  readonly risk: RiskClass;
  readonly reason: string;
  readonly disruptive?: boolean;
  /** Survives ROLLBACK (see `EffectInit.nonTransactional`). */
  readonly nonTransactional?: boolean;
}

/** Functions with effects. Checked before the read-only lists, so a prefix never hides one. */
export const FUNCTION_FACTS: ReadonlyMap<string, FunctionFact> = new Map<string, FunctionFact>([
  [
    'pg_terminate_backend',
    { risk: 'write', disruptive: true, nonTransactional: true, reason: 'terminates a server backend (its open transaction is lost)' },
  ],
  ['pg_cancel_backend', { risk: 'write', disruptive: true, nonTransactional: true, reason: 'cancels a running query' }],
  ['pg_reload_conf', { risk: 'write', nonTransactional: true, reason: 'reloads the server configuration' }],
  ['pg_rotate_logfile', { risk: 'write', nonTransactional: true, reason: 'rotates the server log' }],
  ['pg_switch_wal', { risk: 'write', nonTransactional: true, reason: 'forces a WAL switch' }],
  ['pg_promote', { risk: 'write', disruptive: true, nonTransactional: true, reason: 'promotes a standby to primary' }],
  ['pg_wal_replay_pause', { risk: 'write', disruptive: true, nonTransactional: true, reason: 'pauses WAL replay on a standby' }],
  ['pg_wal_replay_resume', { risk: 'write', nonTransactional: true, reason: 'resumes WAL replay' }],
  ['pg_create_restore_point', { risk: 'write', nonTransactional: true, reason: 'writes a WAL restore point' }],
  ['pg_backup_start', { risk: 'write', nonTransactional: true, reason: 'starts a base backup' }],
  ['pg_backup_stop', { risk: 'write', nonTransactional: true, reason: 'stops a base backup' }],
  ['pg_start_backup', { risk: 'write', nonTransactional: true, reason: 'starts a base backup' }],
  ['pg_stop_backup', { risk: 'write', nonTransactional: true, reason: 'stops a base backup' }],
  [
    'pg_drop_replication_slot',
    { risk: 'destructive', nonTransactional: true, reason: 'drops a replication slot (consumers lose their position)' },
  ],
  ['pg_create_physical_replication_slot', { risk: 'write', nonTransactional: true, reason: 'creates a replication slot (retains WAL)' }],
  ['pg_create_logical_replication_slot', { risk: 'write', nonTransactional: true, reason: 'creates a replication slot (retains WAL)' }],
  ['pg_replication_slot_advance', { risk: 'destructive', nonTransactional: true, reason: 'advances a replication slot, skipping changes' }],
  ['pg_logical_emit_message', { risk: 'write', reason: 'writes a logical decoding message' }],
  ['pg_stat_reset', { risk: 'write', nonTransactional: true, reason: 'resets statistics counters' }],
  ['pg_stat_reset_shared', { risk: 'write', nonTransactional: true, reason: 'resets statistics counters' }],
  ['pg_stat_reset_single_table_counters', { risk: 'write', nonTransactional: true, reason: 'resets statistics counters' }],
  ['pg_stat_reset_single_function_counters', { risk: 'write', nonTransactional: true, reason: 'resets statistics counters' }],
  ['pg_stat_reset_slru', { risk: 'write', nonTransactional: true, reason: 'resets statistics counters' }],
  ['pg_stat_statements_reset', { risk: 'write', nonTransactional: true, reason: 'resets pg_stat_statements' }],
  ['nextval', { risk: 'write', nonTransactional: true, reason: 'advances a sequence (not undone by ROLLBACK)' }],
  [
    'setval',
    {
      risk: 'unknown',
      nonTransactional: true,
      reason: 'sets a sequence value (the old value is lost; a lower value causes key collisions)',
    },
  ],
  ['lo_unlink', { risk: 'destructive', reason: 'deletes a large object' }],
  ['lo_truncate', { risk: 'destructive', reason: 'truncates a large object' }],
  ['lo_truncate64', { risk: 'destructive', reason: 'truncates a large object' }],
  ['lo_put', { risk: 'write', reason: 'writes into a large object' }],
  ['lo_from_bytea', { risk: 'write', reason: 'creates a large object' }],
  ['lo_create', { risk: 'write', reason: 'creates a large object' }],
  ['lo_creat', { risk: 'write', reason: 'creates a large object' }],
  ['lo_import', { risk: 'write', reason: 'imports a server file into a large object' }],
  ['lo_export', { risk: 'destructive', nonTransactional: true, reason: 'writes a large object to a server file (overwrites it)' }],
  ['pg_file_write', { risk: 'destructive', nonTransactional: true, reason: 'writes a server file' }],
  ['pg_file_unlink', { risk: 'destructive', nonTransactional: true, reason: 'deletes a server file' }],
  ['pg_file_rename', { risk: 'write', nonTransactional: true, reason: 'renames a server file' }],
  ['pg_file_sync', { risk: 'write', nonTransactional: true, reason: 'syncs a server file' }],
  ['pg_notify', { risk: 'write', reason: 'sends a notification to listeners' }],
  ['pg_import_system_collations', { risk: 'write', reason: 'creates collations' }],
  ['brin_summarize_new_values', { risk: 'write', reason: 'updates a BRIN index' }],
  ['brin_summarize_range', { risk: 'write', reason: 'updates a BRIN index' }],
  ['brin_desummarize_range', { risk: 'write', reason: 'updates a BRIN index' }],
  ['gin_clean_pending_list', { risk: 'write', reason: 'flushes a GIN pending list' }],
  ['pg_truncate_visibility_map', { risk: 'write', reason: 'truncates a visibility map' }],
  ['pg_log_backend_memory_contexts', { risk: 'write', nonTransactional: true, reason: 'writes a backend memory dump to the server log' }],
  ['dblink_connect', { risk: 'read', reason: 'opens a dblink connection' }],
  ['dblink_connect_u', { risk: 'read', reason: 'opens a dblink connection' }],
  ['dblink_disconnect', { risk: 'read', reason: 'closes a dblink connection' }],
  ['dblink_get_result', { risk: 'read', reason: 'reads an async dblink result' }],
  ['dblink_fetch', { risk: 'read', reason: 'fetches from a dblink cursor' }],
  ['dblink_close', { risk: 'read', reason: 'closes a dblink cursor' }],
  ['dblink_error_message', { risk: 'read', reason: 'reads a dblink error' }],
  ['dblink_is_busy', { risk: 'read', reason: 'polls a dblink connection' }],
  ['dblink_get_connections', { risk: 'read', reason: 'lists dblink connections' }],
  ['sleep', { risk: 'read', reason: 'waits' }],
  ['get_lock', { risk: 'read', reason: 'takes a session lock' }],
  ['release_lock', { risk: 'read', reason: 'releases a session lock' }],
]);

/**
 * Functions whose arguments are SQL that runs (locally or on a remote server). The classifier
 * classifies string-literal arguments that parse as SQL and is `unknown` otherwise.
 */
export const SQL_TEXT_FUNCTIONS: ReadonlyMap<string, { readonly remote: boolean }> = new Map([
  ['dblink', { remote: true }],
  ['dblink_exec', { remote: true }],
  ['dblink_send_query', { remote: true }],
  ['dblink_open', { remote: true }],
  ['query_to_xml', { remote: false }],
  ['query_to_xmlschema', { remote: false }],
  ['query_to_xml_and_xmlschema', { remote: false }],
  ['ts_stat', { remote: false }],
]);

const READ_ONLY_NAMES = `
count sum avg min max string_agg array_agg json_agg jsonb_agg json_object_agg jsonb_object_agg bool_and bool_or every
bit_and bit_or bit_xor stddev stddev_pop stddev_samp variance var_pop var_samp percentile_cont percentile_disc mode
rank dense_rank row_number ntile lag lead first_value last_value nth_value cume_dist percent_rank corr covar_pop
covar_samp regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy xmlagg grouping
any_value range_agg range_intersect_agg
abs ceil ceiling floor round trunc sign sqrt cbrt exp ln log log10 power pow mod div pi degrees radians sin cos tan
asin acos atan atan2 sinh cosh tanh random random_normal setseed width_bucket greatest least gcd lcm factorial scale
min_scale trim_scale erf erfc
length char_length character_length octet_length bit_length lower upper initcap trim btrim ltrim rtrim lpad rpad
substr substring position strpos replace translate concat concat_ws format left right repeat reverse split_part
starts_with md5 sha224 sha256 sha384 sha512 encode decode convert convert_from convert_to ascii chr quote_ident
quote_literal quote_nullable overlay unistr normalize casefold crc32 crc32c get_byte set_byte get_bit set_bit
now clock_timestamp statement_timestamp transaction_timestamp timeofday age extract date_part date_trunc date_bin
date_add date_subtract justify_days justify_hours justify_interval isfinite timezone localtime localtimestamp
gen_random_uuid uuidv4 uuidv7 uuid_extract_timestamp uuid_extract_version version current_database current_schema current_schemas
current_user session_user current_role user current_catalog current_setting current_query inet_server_addr inet_server_port inet_client_addr
inet_client_port generate_series generate_subscripts unnest cardinality row_to_json num_nonnulls num_nulls
host hostmask masklen netmask network set_masklen broadcast family abbrev inet_merge inet_same_family text
int2 int4 int8 float4 float8 numeric bool date time timestamp timestamptz interval bpchar varchar bytea
obj_description col_description shobj_description format_type txid_current txid_current_if_assigned
txid_current_snapshot txid_snapshot_xmin txid_snapshot_xmax txid_snapshot_xip txid_visible_in_snapshot txid_status
pg_current_xact_id pg_current_xact_id_if_assigned pg_current_snapshot pg_snapshot_xmin pg_snapshot_xmax pg_xact_status
pg_visible_in_snapshot pg_backend_pid pg_blocking_pids pg_safe_snapshot_blocking_pids pg_postmaster_start_time
pg_conf_load_time pg_tablespace_location pg_typeof pg_jit_available pg_listening_channels pg_my_temp_schema
pg_trigger_depth pg_is_other_temp_schema pg_notification_queue_usage pg_column_size pg_column_compression
pg_database_size pg_relation_size pg_table_size pg_indexes_size pg_total_relation_size pg_tablespace_size
pg_relation_filenode pg_relation_filepath pg_filenode_relation pg_describe_object pg_identify_object
pg_identify_object_as_address pg_get_object_address pg_table_is_visible pg_type_is_visible pg_function_is_visible
pg_encoding_to_char pg_char_to_encoding pg_client_encoding pg_options_to_table pg_available_extensions
pg_available_extension_versions pg_extension_config_dump pg_walfile_name pg_walfile_name_offset pg_wal_lsn_diff
pg_settings_get_flags pg_input_is_valid pg_input_error_info pg_sequence_last_value pg_sequence_parameters pg_ls_dir pg_ls_logdir
pg_ls_waldir pg_ls_tmpdir pg_ls_archive_statusdir pg_read_file pg_read_binary_file pg_stat_file pg_sleep pg_sleep_for
pg_sleep_until pg_advisory_lock pg_advisory_lock_shared pg_advisory_unlock pg_advisory_unlock_all pg_advisory_unlock_shared
pg_advisory_xact_lock pg_advisory_xact_lock_shared pg_try_advisory_lock pg_try_advisory_lock_shared
pg_try_advisory_xact_lock pg_try_advisory_xact_lock_shared pg_export_snapshot pg_prewarm pg_backend_memory_contexts
pg_column_is_updatable pg_relation_is_updatable pg_index_column_has_property pg_index_has_property
pg_indexam_has_property pg_tablespace_databases pg_collation_is_visible pg_conversion_is_visible
pg_opclass_is_visible pg_operator_is_visible pg_opfamily_is_visible pg_statistics_obj_is_visible
pg_ts_config_is_visible pg_ts_dict_is_visible pg_ts_parser_is_visible pg_ts_template_is_visible pg_partition_tree
pg_partition_ancestors pg_partition_root pg_size_bytes pg_size_pretty pg_xact_commit_timestamp
pg_last_committed_xact pg_database_collation_actual_version pg_collation_actual_version
currval lastval set_config row_security_active acldefault aclexplode makeaclitem
to_regclass to_regtype to_regproc to_regprocedure to_regoper to_regoperator to_regnamespace to_regrole
to_regcollation to_regtypemod to_char to_date to_number to_timestamp to_json to_jsonb to_tsvector to_tsquery
to_hex to_oct to_bin to_ascii plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd ts_headline
ts_lexize ts_parse ts_token_type ts_debug ts_rewrite ts_delete ts_filter setweight strip numnode querytree
tsvector_to_array array_to_tsvector get_current_ts_config
xmlconcat xmlelement xmlforest xmlpi xmlroot xmlexists xml_is_well_formed xml_is_well_formed_document
xml_is_well_formed_content xpath xpath_exists xmlparse xmlserialize xmltext xmlcomment table_to_xml table_to_xmlschema
table_to_xml_and_xmlschema schema_to_xml schema_to_xmlschema schema_to_xml_and_xmlschema database_to_xml
database_to_xmlschema database_to_xml_and_xmlschema
isempty lower_inc upper_inc lower_inf upper_inf range_merge multirange int4range int8range numrange tsrange
tstzrange daterange int4multirange int8multirange nummultirange tsmultirange tstzmultirange datemultirange
uuid_generate_v1 uuid_generate_v1mc uuid_generate_v3 uuid_generate_v4 uuid_generate_v5 uuid_nil uuid_ns_dns
uuid_ns_url uuid_ns_oid uuid_ns_x500 crypt gen_salt digest hmac gen_random_bytes pgp_sym_encrypt pgp_sym_decrypt
similarity word_similarity strict_word_similarity show_trgm levenshtein soundex metaphone dmetaphone difference
unaccent hstore akeys avals skeys svals each exist defined delete_key hstore_to_json
row_number lag lead ifnull isnull if nvl nullif coalesce date_format str_to_date unix_timestamp from_unixtime
curdate curtime current_date current_time current_timestamp sysdate utc_timestamp utc_date utc_time datediff
timestampdiff timestampadd dayofweek dayofmonth dayofyear weekday week year month day hour minute second
last_day makedate maketime period_add period_diff quarter sec_to_time time_to_sec to_days from_days date_sub
adddate subdate addtime subtime convert_tz locate instr lcase ucase mid field find_in_set elt make_set
export_set char hex unhex bin oct conv space insert_string group_concat json_extract json_unquote json_object
json_array json_contains json_contains_path json_keys json_length json_search json_valid json_type json_depth
json_pretty json_quote json_value json_overlaps json_table json_arrayagg json_objectagg database schema
connection_id found_rows row_count last_insert_id uuid uuid_short rand cast binary charset collation coercibility
strftime julianday unixepoch datetime sqlite_version typeof total total_changes changes glob like likelihood
likely unlikely printf zeroblob randomblob quote iif instr hex soundex
regexp_like regexp_replace regexp_substr regexp_instr regexp_match regexp_matches regexp_split_to_array
regexp_split_to_table regexp_count
`;

const READ_ONLY = new Set(READ_ONLY_NAMES.split(/\s+/).filter((n) => n.length > 0));

/** Prefixes of built-in function families that only compute values. */
const READ_ONLY_PREFIXES = [
  'pg_get_',
  'pg_stat_get_',
  'pg_has_',
  'has_',
  'pg_is_',
  'pg_last_',
  'pg_control_',
  'json_',
  'jsonb_',
  'array_',
  'string_to_',
  'st_',
  'date_',
  'make_',
  'bit_',
  'pg_replication_origin_session_progress',
];

/** True when `name` is a built-in known only to compute values (no writes, no side effects). */
export function isReadOnlyFunction(name: string): boolean {
  if (FUNCTION_FACTS.has(name) || SQL_TEXT_FUNCTIONS.has(name)) return false;
  if (READ_ONLY.has(name)) return true;
  return READ_ONLY_PREFIXES.some((p) => name.startsWith(p));
}
