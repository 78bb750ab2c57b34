"""The README's figure tables, generated from the benchmarks' JSON results.

    python benchmarks/readme_figures.py            # rewrite the blocks in README.md
    python benchmarks/readme_figures.py --check    # exit 1 when a block differs or a figure is missing

Every benchmark writes its figures with ``--json PATH`` as one flat JSON object
(``benchmarks/results_io.py``); the committed results are
``benchmarks/results/<name>.json``. A README block between
``<!-- figures:NAME -->`` and ``<!-- /figures:NAME -->`` is rendered from the
template ``BLOCKS[NAME]``: ``{bench_xml[meetings_per_s]:,.0f}`` is the figure
``meetings_per_s`` of ``benchmarks/results/bench_xml.json``, and ``{bench_xml:source}``
names the command that produced that file, when, and how loaded the machine was (a result
measured before benchmarks recorded them has ``measured_utc`` and ``load_1min_at_start`` null,
and the block says they were not recorded).
A template that quotes a figure the JSON lacks fails (``--check`` and
``tests/test_readme_figures.py``), and so does a README block that differs from
its rendering. To add a table: write the benchmark's JSON into ``benchmarks/results``,
add a template here and an empty marker pair in the README, and run this script.
"""

from __future__ import annotations

import argparse
import json
import re
import string
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"

BLOCKS: dict[str, str] = {
    "accuracy": """\
{eval_figures:source}

**{eval_figures[parse_overall]:.3f}** overall on {eval_figures[parse_documents]} documents of `corpus/sample`; the
lowest of the {eval_figures[parse_fields]} scored fields has F1 **{eval_figures[parse_lowest_field_f1]:.3f}**;
{eval_figures[parse_failures]} documents failed to parse.""",
    "parse": """\
{bench_parse_sample:source}
{bench_parse_realdocs:source}

| source | corpus/sample: pages/s | vs `pdftotext` | `../shared/realdocs`: pages/s | vs `pdftotext` | \
peak RSS (realdocs) |
|---|---|---|---|---|---|
| pypdfium2 chars (default) | {bench_parse_sample[pdfium_pages_per_s]:.0f} | \
{bench_parse_sample[pdfium_vs_pdftotext]:.2f}× | {bench_parse_realdocs[pdfium_pages_per_s]:.0f} | \
{bench_parse_realdocs[pdfium_vs_pdftotext]:.2f}× | {bench_parse_realdocs[pdfium_peak_rss_mb]:.0f} MB |
| pdfplumber chars (reference) | {bench_parse_sample[pdfplumber_pages_per_s]:.0f} | \
{bench_parse_sample[pdfplumber_vs_pdftotext]:.2f}× | {bench_parse_realdocs[pdfplumber_pages_per_s]:.0f} | \
{bench_parse_realdocs[pdfplumber_vs_pdftotext]:.2f}× | {bench_parse_realdocs[pdfplumber_peak_rss_mb]:.0f} MB |
| DOCX reader (zip + lxml) | {bench_parse_sample[python-docx_pages_per_s]:.0f} | – | \
{bench_parse_realdocs[python-docx_pages_per_s]:.0f} | – | {bench_parse_realdocs[python-docx_peak_rss_mb]:.0f} MB |
| `pdftotext` (one process per file) | {bench_parse_sample[pdftotext_pages_per_s]:.0f} | 1.00× | \
{bench_parse_realdocs[pdftotext_pages_per_s]:.0f} | 1.00× | {bench_parse_realdocs[pdftotext_peak_rss_mb]:.0f} MB |""",
    "structure": """\
{bench_structure:source}

| files parsed (found: generated / `corpus/sample` / `../shared/realdocs`) | `build_record` CPU at \
`{bench_structure[ref]:.10}` | now | now / then | records that differ |
|---|---|---|---|---|
| {bench_structure[files]} ({bench_structure[files_generated]} / {bench_structure[files_sample]} / \
{bench_structure[files_realdocs]}) | {bench_structure[old_cpu_s_median]:.2f} s | \
{bench_structure[new_cpu_s_median]:.2f} s | **{bench_structure[ratio_new_to_old]:.2f}×** | \
{bench_structure[records_differing]} |""",
    "words": """\
{word_agreement:source}

{word_agreement[files_scored]} PDFs scored ({word_agreement[files_skipped]} without a text layer skipped):
**{word_agreement[agreement]:.3%}** of {word_agreement[words]:,} words agree, lowest file
{word_agreement[lowest_file_agreement]:.2%}, **{word_agreement[joined_words]}** words that are two `pdftotext`
words glued together, {word_agreement[files_below_target]} files below the {word_agreement[target]:.1%} target.""",
    "xml": """\
{bench_xml:source}

{bench_xml[files]} exports ({bench_xml[megabytes]:.2f} MB, {bench_xml[meetings]} meetings, {bench_xml[items]} items)
parse in {bench_xml[seconds]:.4f} s: **{bench_xml[meetings_per_s]:,.0f} meetings/s**
({bench_xml[items_per_s]:,.0f} items/s, {bench_xml[mb_per_s]:.1f} MB/s).""",
    "docx": """\
{bench_docx:source}

{bench_docx[files]} DOCX files ({bench_docx[files_sample]} of `corpus/sample`, {bench_docx[files_realdocs]} real, \
{bench_docx[files_generated]} generated): **{bench_docx[package_ms_per_file]:.1f} ms/file**, against \
{bench_docx[python_docx_ms_per_file]:.1f} ms/file for the python-docx reader in the same run \
(**{bench_docx[time_ratio]:.2f}×** the time; {bench_docx[time_ratio_nocache]:.2f}× when every file's styles are \
parsed anew); {bench_docx[differences]} files and {bench_docx[mutant_differences]} of \
{bench_docx[mutants]} fuzz seeds and damaged packages read differently.""",
    "ocr": """\
{bench_ocr:source}

{bench_ocr[pages]} scanned pages ({bench_ocr[documents]} documents at {bench_ocr[dpi]} dpi), empty OCR cache:
`--jobs 1` **{bench_ocr[jobs1_pages_per_s]:.2f} pages/s**, `--jobs 2` **{bench_ocr[jobs2_pages_per_s]:.2f} pages/s**
({bench_ocr[speedup_jobs2]:.2f}×); a `--reparse` from the cache {bench_ocr[reparse_cached_seconds]:.1f} s.""",
    "convert": """\
{bench_convert:source}

{bench_convert[files]} `.{bench_convert[format]}` files: one LibreOffice start per file
**{bench_convert[per_second_one_per_call]:.2f} conversions/s**, all in one start
**{bench_convert[per_second_one_call]:.2f} conversions/s**; `arkiv ingest --jobs 1`
{bench_convert[per_second_ingest_jobs_1]:.2f} files/s, `--jobs 2`
**{bench_convert[per_second_ingest_jobs_2]:.2f} files/s**;
from the conversion cache {bench_convert[per_second_cached]:.0f} files/s.""",
    "pdf_check": """\
{bench_pdf_check:source}

| PDFs | files | answered by the first pass | check: pdfminer alone → first pass | `extract` vs `pdftotext` pages/s: \
pdfminer check → first pass |
|---|---|---|---|---|
| generated (`generate-corpus --count 600 --seed 11`) | {bench_pdf_check[generated_files]} | \
{bench_pdf_check[generated_answered_by_first_pass]} | {bench_pdf_check[generated_check_old_ms]:.0f} → \
{bench_pdf_check[generated_check_new_ms]:.0f} ms (**{bench_pdf_check[generated_check_speedup]:.1f}×**) | \
{bench_pdf_check[generated_extract_old_vs_pdftotext]:.2f}× → \
**{bench_pdf_check[generated_extract_new_vs_pdftotext]:.2f}×** |
| `corpus/sample` | {bench_pdf_check[sample_files]} | {bench_pdf_check[sample_answered_by_first_pass]} | \
{bench_pdf_check[sample_check_old_ms]:.0f} → {bench_pdf_check[sample_check_new_ms]:.0f} ms \
({bench_pdf_check[sample_check_speedup]:.1f}×) | {bench_pdf_check[sample_extract_old_vs_pdftotext]:.2f}× → \
{bench_pdf_check[sample_extract_new_vs_pdftotext]:.2f}× |
| `../shared/realdocs` | {bench_pdf_check[realdocs_files]} | {bench_pdf_check[realdocs_answered_by_first_pass]} | \
{bench_pdf_check[realdocs_check_old_ms]:.0f} → {bench_pdf_check[realdocs_check_new_ms]:.0f} ms \
({bench_pdf_check[realdocs_check_speedup]:.1f}×) | {bench_pdf_check[realdocs_extract_old_vs_pdftotext]:.2f}× → \
{bench_pdf_check[realdocs_extract_new_vs_pdftotext]:.2f}× |""",
    "analysis": """\
{bench_analysis:source}

| records | differing outputs | `eval-nlp` identical | index analysis CPU: old → new | `record_to_json` CPU: old → new |
|---|---|---|---|---|
| {bench_analysis[records]} | {bench_analysis[differing_records]} | {bench_analysis[eval_nlp_identical]} | \
{bench_analysis[old_analyse_s_median]:.2f} → {bench_analysis[new_analyse_s_median]:.2f} s \
(**{bench_analysis[analyse_ratio]:.2f}×**) | {bench_analysis[old_record_json_s_median]:.2f} → \
{bench_analysis[new_record_json_s_median]:.2f} s ({bench_analysis[record_json_ratio]:.2f}×) |
""",
    "ingest": """\
{bench_ingest:source}

| {bench_ingest[documents]:,} documents, {bench_ingest[pages]:,} pages | seconds | files/s | pages/s | CPU s (tree) |
|---|---|---|---|---|
| `arkiv ingest --jobs 1` (parse, catalog, index) | {bench_ingest[jobs1_seconds]:.1f} | \
{bench_ingest[jobs1_files_per_s]:.1f} | {bench_ingest[jobs1_pages_per_s]:.1f} | {bench_ingest[jobs1_cpu_seconds]:.1f} |
| `arkiv ingest --jobs 2` | {bench_ingest[jobs2_seconds]:.1f} | {bench_ingest[jobs2_files_per_s]:.1f} | \
{bench_ingest[jobs2_pages_per_s]:.1f} | {bench_ingest[jobs2_cpu_seconds]:.1f} |
| no-change re-run | {bench_ingest[no_change_rerun_s]:.2f} | | | |

`--jobs 2` / `--jobs 1` measured: **{bench_ingest[jobs2_over_jobs1]:.2f}×** (target ≥ 1.8×). From the CPU
seconds of each process and phase (load-independent), the two runs need {bench_ingest[jobs1_idle_seconds_model]:.1f} s
and {bench_ingest[jobs2_idle_seconds_model]:.1f} s on 2 idle cores: **{bench_ingest[jobs2_over_jobs1_cpu_model]:.2f}×**;
the importing process (the one writer) used {bench_ingest[jobs2_parent_cpu_seconds]:.1f} s of the
{bench_ingest[jobs2_cpu_seconds]:.1f} CPU seconds with `--jobs 2`. Peak memory of the process tree:
PSS **{bench_ingest[peak_pss_mb]:.0f} MB** (target < 500 MB); summed RSS {bench_ingest[peak_rss_mb]:.0f} MB, which
counts the pages that forked processes share once per process. PDF parsing inside the workers runs at
{bench_ingest[our_parse_over_pdftotext]:.2f}× `pdftotext`'s pages/s on the same {bench_ingest[pdftotext_pdfs]:,} PDFs;
the whole `--jobs 1` import at **{bench_ingest[ingest_jobs1_over_pdftotext]:.2f}×** measured and
{bench_ingest[ingest_jobs1_over_pdftotext_cpu_model]:.2f}× from CPU time (target ≥ 0.4×).""",
    "cluster": """\
{bench_cluster:source}

Measured per file on {bench_cluster[files]} files: a worker {bench_cluster[worker_ms_per_file]:.0f} ms (parse and
analysis), the catalog writer {bench_cluster[writer_ms_per_file]:.1f} ms, the index build
{bench_cluster[index_ms_per_file]:.1f} ms; modelled archive {bench_cluster[scale]:,}× larger, index shards written by
{bench_cluster[local_cores]} local processes.

| Dask workers | 1 | 2 | 4 | 8 | 16 | 32 | 64 |
|---|---|---|---|---|---|---|---|
| speed-up, one catalog writer | {bench_cluster[speedup_1]:.1f}× | {bench_cluster[speedup_2]:.1f}× | \
{bench_cluster[speedup_4]:.1f}× | {bench_cluster[speedup_8]:.1f}× | {bench_cluster[speedup_16]:.1f}× | \
{bench_cluster[speedup_32]:.1f}× | {bench_cluster[speedup_64]:.1f}× |
| writer busy | {bench_cluster[writer_busy_1]:.0%} | {bench_cluster[writer_busy_2]:.0%} | \
{bench_cluster[writer_busy_4]:.0%} | {bench_cluster[writer_busy_8]:.0%} | {bench_cluster[writer_busy_16]:.0%} | \
{bench_cluster[writer_busy_32]:.0%} | {bench_cluster[writer_busy_64]:.0%} |
| speed-up, 4 sharded writers | {bench_cluster[speedup_4_writers_1]:.1f}× | \
{bench_cluster[speedup_4_writers_2]:.1f}× | \
{bench_cluster[speedup_4_writers_4]:.1f}× | {bench_cluster[speedup_4_writers_8]:.1f}× | \
{bench_cluster[speedup_4_writers_16]:.1f}× | {bench_cluster[speedup_4_writers_32]:.1f}× | \
{bench_cluster[speedup_4_writers_64]:.1f}× |

One writer keeps up with about **{bench_cluster[writer_limit_workers]:.0f} workers**.""",
    "cluster_limits": """\
{bench_cluster_limits:source}

| {bench_cluster_limits[files]} documents, 2 workers | CPU ms/file | vs thread | wall ms/file (best) | vs thread |
|---|---|---|---|---|
| parse in the task's thread (no bound) | {bench_cluster_limits[thread_cpu_ms_per_file]:.1f} | 1.00× | \
{bench_cluster_limits[thread_best_ms_per_file]:.1f} | 1.00× |
| kept parse process (`arkiv ingest --cluster`) | {bench_cluster_limits[kept_cpu_ms_per_file]:.1f} | \
**{bench_cluster_limits[kept_cpu_vs_thread]:.2f}×** | {bench_cluster_limits[kept_best_ms_per_file]:.1f} | \
{bench_cluster_limits[kept_best_vs_thread]:.2f}× |
| a parse process forked per file | {bench_cluster_limits[per_file_cpu_ms_per_file]:.1f} | \
{bench_cluster_limits[per_file_cpu_vs_thread]:.2f}× | {bench_cluster_limits[per_file_best_ms_per_file]:.1f} | \
{bench_cluster_limits[per_file_best_vs_thread]:.2f}× |""",
    "search_quality": """\
{eval_figures:source}

{eval_figures[search_queries]} judged queries over {eval_figures[search_documents]} index documents:

| system | recall@10 | MRR | nDCG@10 |
|---|---|---|---|
| whoosh, Danish analysis | {eval_figures[search_whoosh_recall_at_10]:.3f} | \
{eval_figures[search_whoosh_mrr]:.3f} | \
{eval_figures[search_whoosh_ndcg_at_10]:.3f} |
| tantivy, Danish analysis | {eval_figures[search_tantivy_recall_at_10]:.3f} | \
{eval_figures[search_tantivy_mrr]:.3f} | \
{eval_figures[search_tantivy_ndcg_at_10]:.3f} |
| whoosh, plain analyzer (baseline) | {eval_figures[search_baseline_recall_at_10]:.3f} | \
{eval_figures[search_baseline_mrr]:.3f} | {eval_figures[search_baseline_ndcg_at_10]:.3f} |""",
    "search_speed": """\
{bench_search:source}

| engine, {bench_search[items]:,} items | build | size | p95: one word / two words / phrase / filtered / all facets | \
100 changed files |
|---|---|---|---|---|
| whoosh | {bench_search[whoosh_dictionary_docs_per_s]:,.0f} docs/s | \
{bench_search[whoosh_dictionary_size_mb]:.0f} MB | \
{bench_search[whoosh_dictionary_one_word_p95_ms]:.1f} / {bench_search[whoosh_dictionary_two_words_p95_ms]:.1f} / \
{bench_search[whoosh_dictionary_phrase_p95_ms]:.1f} / {bench_search[whoosh_dictionary_filtered_p95_ms]:.1f} / \
{bench_search[whoosh_dictionary_faceted_p95_ms]:.1f} ms | {bench_search[whoosh_dictionary_update_100_files_s]:.2f} s |
| tantivy | {bench_search[tantivy_dictionary_docs_per_s]:,.0f} docs/s | \
{bench_search[tantivy_dictionary_size_mb]:.0f} MB | \
{bench_search[tantivy_dictionary_one_word_p95_ms]:.1f} / {bench_search[tantivy_dictionary_two_words_p95_ms]:.1f} / \
{bench_search[tantivy_dictionary_phrase_p95_ms]:.1f} / {bench_search[tantivy_dictionary_filtered_p95_ms]:.1f} / \
{bench_search[tantivy_dictionary_faceted_p95_ms]:.1f} ms | {bench_search[tantivy_dictionary_update_100_files_s]:.2f} s |

With the Danish dictionary's compound splitting (the rows above) the builds ran at \
{bench_search[whoosh_indexing_rate_after_vs_before]:.2f} (whoosh) and \
{bench_search[tantivy_indexing_rate_after_vs_before]:.2f} (tantivy) of the rate with the built-in parts \
list alone (`builtin`, {bench_search[whoosh_builtin_docs_per_s]:,.0f} and \
{bench_search[tantivy_builtin_docs_per_s]:,.0f} docs/s), same run; peak RSS of the run \
{bench_search[peak_rss_mb]:,.0f} MB.""",
    "search_1m": """\
{bench_search_1m:source}

| tantivy, {bench_search_1m[items]:,} items | |
|---|---|
| build (items generated and added in batches, the Danish analysis in Python included) | \
{bench_search_1m[tantivy_dictionary_build_s]:,.0f} s ({bench_search_1m[tantivy_dictionary_docs_per_s]:,.0f} docs/s) |
| index size | {bench_search_1m[tantivy_dictionary_size_mb]:,.0f} MB |
| peak RSS of the whole run | {bench_search_1m[peak_rss_mb]:,.0f} MB |
| p95: one word / two words / phrase / filtered (year + body) / all eight facets | \
{bench_search_1m[tantivy_dictionary_one_word_p95_ms]:.1f} / \
{bench_search_1m[tantivy_dictionary_two_words_p95_ms]:.1f} / \
{bench_search_1m[tantivy_dictionary_phrase_p95_ms]:.1f} / {bench_search_1m[tantivy_dictionary_filtered_p95_ms]:.1f} / \
{bench_search_1m[tantivy_dictionary_faceted_p95_ms]:.1f} ms |
| p95, a broad word (in {bench_search_1m[tantivy_dictionary_broad_word_share]:.0%} of the items): without / with all \
facets | {bench_search_1m[tantivy_dictionary_broad_p95_ms]:.1f} / \
{bench_search_1m[tantivy_dictionary_broad_faceted_p95_ms]:.1f} ms |
| 100 changed files applied | {bench_search_1m[tantivy_dictionary_update_100_files_s]:.2f} s |""",
    "web": """\
{bench_web:source}

`arkiv serve` over {bench_web[items]:,} generated items ({bench_web[engine]}), {bench_web[requests]} requests per kind:

| page | server p50 / p95 | wall p95 | target |
|---|---|---|---|
| search page, one word, all facets, 20 snippets | {bench_web[search_page_server_p50_ms]:.1f} / \
{bench_web[search_page_server_p95_ms]:.1f} ms | {bench_web[search_page_wall_p95_ms]:.1f} ms | p95 < 100 ms |
| search page, body filter, newest first | {bench_web[search_filtered_newest_server_p50_ms]:.1f} / \
{bench_web[search_filtered_newest_server_p95_ms]:.1f} ms | {bench_web[search_filtered_newest_wall_p95_ms]:.1f} ms | |
| `/api/search` | {bench_web[api_search_server_p50_ms]:.1f} / {bench_web[api_search_server_p95_ms]:.1f} ms | \
{bench_web[api_search_wall_p95_ms]:.1f} ms | |
| item page with the meeting's other items | {bench_web[item_page_server_p50_ms]:.1f} / \
{bench_web[item_page_server_p95_ms]:.1f} ms | {bench_web[item_page_wall_p95_ms]:.1f} ms | p95 < 50 ms |
| reference: engine search with facets | {bench_web[engine_search_facets_p50_ms]:.1f} / \
{bench_web[engine_search_facets_p95_ms]:.1f} ms | | |

The search page's server p95 is {bench_web[search_page_p95_over_engine_p95]:.1f} times the engine's.""",
    "links": """\
{bench_links:source}

{bench_links[files]:,} catalogued files in {bench_links[folders]:,} meeting folders: the full link pass links \
{bench_links[links]:,} of the {bench_links[listed_bilag]:,} listed bilag in **{bench_links[full_pass_s]:.2f} s**, \
{bench_links[full_pass_vs_reference]:.1f}× the time of reading every stored record once \
({bench_links[reference_read_all_records_s]:.2f} s, same run); the pass after an import that changed one folder \
takes **{bench_links[incremental_one_folder_s]:.2f} s**, and after an import that changed nothing \
{bench_links[no_change_s]:.3f} s.""",
    "entities": """\
{bench_entities:source}

An item written with {bench_entities[entities_50000_written]:,} entities ({bench_entities[entities_50000_found]:,} \
found by the extractor): extraction \
{bench_entities[entities_50000_extract_s]:.2f} s, personal-data detection \
{bench_entities[entities_50000_personal_s]:.2f} s, \
index analysis {bench_entities[entities_50000_index_s]:.2f} s; \
{bench_entities[entities_50000_size_over_previous]:.0f}× as many entities as the next smaller size take \
{bench_entities[entities_50000_extract_over_previous]:.1f}×, \
{bench_entities[entities_50000_personal_over_previous]:.1f}× and \
{bench_entities[entities_50000_index_over_previous]:.1f}× the time (linear work: \
{bench_entities[entities_50000_size_over_previous]:.0f}×).""",
    "compounds": """\
{bench_compounds:source}

| lexicon | words known ({bench_compounds[vocabulary_words]:,} distinct) | parts of the gold compounds known | \
split precision / recall, with the archive's words |
|---|---|---|---|
| built-in parts list (before) | – | – | {bench_compounds[builtin_parts_precision]:.3f} / \
{bench_compounds[builtin_parts_recall]:.3f} |
| spaCy `spacy-lookups-data` Danish lookup table | {bench_compounds[spacy_lookups_da_word_coverage]:.0%} | \
{bench_compounds[spacy_lookups_da_part_coverage]:.1%} | {bench_compounds[spacy_lookups_and_archive_precision]:.3f} / \
{bench_compounds[spacy_lookups_and_archive_recall]:.3f} |
| Debian `hunspell-da` (chosen) | {bench_compounds[hunspell_da_word_coverage]:.0%} | \
{bench_compounds[hunspell_da_part_coverage]:.1%} | **{bench_compounds[dictionary_and_archive_precision]:.3f} / \
{bench_compounds[dictionary_and_archive_recall]:.3f}** ({bench_compounds[dictionary_precision]:.3f} / \
{bench_compounds[dictionary_recall]:.3f} alone) |

| gold half | words | precision / recall, dictionary + the archive's words | dictionary alone | built-in parts |
|---|---|---|---|---|
| tune | {bench_compounds[gold_tune_words]} | {bench_compounds[dictionary_and_archive_tune_precision]:.3f} / \
{bench_compounds[dictionary_and_archive_tune_recall]:.3f} | {bench_compounds[dictionary_tune_precision]:.3f} / \
{bench_compounds[dictionary_tune_recall]:.3f} | {bench_compounds[builtin_parts_tune_precision]:.3f} / \
{bench_compounds[builtin_parts_tune_recall]:.3f} |
| held out | {bench_compounds[gold_held_out_words]} | \
**{bench_compounds[dictionary_and_archive_held_out_precision]:.3f} / \
{bench_compounds[dictionary_and_archive_held_out_recall]:.3f}** | \
{bench_compounds[dictionary_held_out_precision]:.3f} / \
{bench_compounds[dictionary_held_out_recall]:.3f} | {bench_compounds[builtin_parts_held_out_precision]:.3f} / \
{bench_compounds[builtin_parts_held_out_recall]:.3f} |

Precision and recall count split points on the {bench_compounds[gold_words]:,} words of the gold list \
({bench_compounds[gold_compounds]:,} of them compounds, the others words that must stay whole). Analysing the \
real documents' {bench_compounds[analysed_words]:,} words, cold caches, same run: \
{bench_compounds[dictionary_and_archive_analyse_words_per_s]:,} words/s with the dictionary and the archive's words, \
{bench_compounds[builtin_parts_analyse_words_per_s]:,} words/s with the built-in parts list (before); the reduced \
dictionary loaded from its cache in {bench_compounds[dictionary_load_s]:.2f} s.""",
    "search_real": """\
{eval_figures:source}

{eval_figures[search_real_queries]} judged queries over {eval_figures[search_real_files]} real documents \
({eval_figures[search_real_documents]} index documents); queries whose top 10 differ between the engines: \
{eval_figures[search_real_engines_differ]}.

| system | recall@10 | MRR | nDCG@10 |
|---|---|---|---|
| whoosh, Danish analysis | {eval_figures[search_real_whoosh_recall_at_10]:.3f} | \
{eval_figures[search_real_whoosh_mrr]:.3f} | {eval_figures[search_real_whoosh_ndcg_at_10]:.3f} |
| tantivy, Danish analysis | {eval_figures[search_real_tantivy_recall_at_10]:.3f} | \
{eval_figures[search_real_tantivy_mrr]:.3f} | {eval_figures[search_real_tantivy_ndcg_at_10]:.3f} |
| whoosh, plain analyzer (baseline) | {eval_figures[search_real_baseline_recall_at_10]:.3f} | \
{eval_figures[search_real_baseline_mrr]:.3f} | {eval_figures[search_real_baseline_ndcg_at_10]:.3f} |""",
    "aktindsigt": """\
{eval_figures:source}
{bench_aktindsigt:source}

On the {eval_figures[nlp_lines]}-line gold set `corpus/nlp_gold.jsonl` the lowest F1 of the
{eval_figures[nlp_labels]} outcome labels and entity types is **{eval_figures[nlp_lowest_f1]:.3f}**;
{eval_figures[nlp_votes_exact]} of {eval_figures[nlp_votes]} vote statements parse exactly; CPR numbers missed:
{eval_figures[nlp_cpr_missed]}, falsely found: {eval_figures[nlp_cpr_false_positives]}. An aktindsigt over
{bench_aktindsigt[items]:,} items takes **{bench_aktindsigt[total_s]:.2f} s** for {bench_aktindsigt[hits]:,} hits
(target: under 30 s).""",
}

_BLOCK_RE = re.compile(r"(<!-- figures:(?P<name>[a-z0-9_]+) -->\n)(?P<body>.*?)(<!-- /figures:(?P=name) -->)", re.S)


class FigureError(Exception):
    """A template quotes a figure that the results lack (names the block, file and key)."""


class _Results(dict[str, Any]):
    """One benchmark's figures; ``{name:source}`` renders where they come from."""

    def __init__(self, name: str, figures: Mapping[str, Any]) -> None:
        super().__init__(figures)
        self.name = name

    def __missing__(self, key: str) -> Any:
        raise FigureError(f"benchmarks/results/{self.name}.json lacks the figure {key!r}")

    def __format__(self, spec: str) -> str:
        if spec != "source":
            raise FigureError(f"{{{self.name}:{spec}}}: only {{{self.name}:source}} formats a whole result")
        for key in ("command", "measured_utc", "load_1min_at_start", "cores"):
            if key not in self:
                raise FigureError(f"benchmarks/results/{self.name}.json lacks {key!r}")
        if self["measured_utc"] is None or self["load_1min_at_start"] is None:
            # a result measured before the benchmark recorded its time and load: its figures as measured
            return (
                f"From `{self['command']}` (time and load of the run not recorded, {self['cores']} cores; "
                f"`benchmarks/results/{self.name}.json`)."
            )
        return (
            f"From `{self['command']}` ({self['measured_utc']} UTC, 1-minute load {self['load_1min_at_start']:.1f} "
            f"on {self['cores']} cores; `benchmarks/results/{self.name}.json`)."
        )


class _AllResults(dict[str, _Results]):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def __missing__(self, name: str) -> _Results:
        path = self.folder / f"{name}.json"
        try:
            figures = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FigureError(f"benchmarks/results/{name}.json is missing (run the benchmark with --json)") from None
        except ValueError as e:
            raise FigureError(f"benchmarks/results/{name}.json: not JSON ({e})") from None
        if not isinstance(figures, dict) or any(isinstance(v, dict | list) for v in figures.values()):
            raise FigureError(f"benchmarks/results/{name}.json: not one flat JSON object")
        self[name] = _Results(name, figures)
        return self[name]


def render(name: str, results: Path = RESULTS) -> str:
    """The rendered block ``name`` (``FigureError`` when a figure is missing or cannot be formatted)."""
    try:
        return string.Formatter().vformat(BLOCKS[name], (), _AllResults(results)) + "\n"
    except FigureError as e:
        raise FigureError(f"figures:{name}: {e}") from None
    except (ValueError, TypeError) as e:  # a None where a number is formatted, a bad format spec
        raise FigureError(f"figures:{name}: cannot format a figure ({e})") from None


def rewrite(readme: str, results: Path = RESULTS) -> tuple[str, list[str]]:
    """(the README with every figure block rendered, the names of blocks that changed)."""
    changed: list[str] = []
    seen: set[str] = set()

    def one(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in BLOCKS:
            raise FigureError(f"README.md: no template for the block figures:{name} (benchmarks/readme_figures.py)")
        seen.add(name)
        body = render(name, results)
        if body != match.group("body"):
            changed.append(name)
        return f"{match.group(1)}{body}{match.group(4)}"

    out = _BLOCK_RE.sub(one, readme)
    for name in BLOCKS:
        if name not in seen:
            raise FigureError(f"README.md has no <!-- figures:{name} --> block")
    return out, changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a block is out of date")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    try:
        new, changed = rewrite(text)
    except FigureError as e:
        print(f"{args.readme}: {e}", file=sys.stderr)
        return 1
    if args.check:
        if changed:
            print(
                f"{args.readme}: figure blocks differ from benchmarks/results: {', '.join(changed)}; "
                "run `python benchmarks/readme_figures.py`",
                file=sys.stderr,
            )
            return 1
        return 0
    if changed:
        args.readme.write_text(new, encoding="utf-8")
        print(f"{args.readme}: rewrote {', '.join(changed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
