"""Great Expectations suites from `expectations/` as Dagster asset checks.

Each suite becomes one multi-asset check on its table: `error` checks are blocking (a failure
stops the assets downstream of the table), `warn` checks leave the run green and show the
failing rows in their metadata. Every result is also appended to quality.check_results.

Row-level checks look only at the rows their suite has not validated before (the failures of
earlier rows are carried, see `lib.quality`); a forced run (`make rebuild`, the landing's
`force`) validates every row again.
"""

import dagster as dg

from dagster_project.defs.resources import RawFolderResource, WarehouseResource, data_docs_root
from dagster_project.lib import quality
from expectations import SUITES

_SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


def forced_run(context: dg.AssetCheckExecutionContext) -> bool:
    """Whether this run was started as a forced rebuild: the landing asset's `force` config,
    which `make rebuild` sets, is what says so for every stage."""
    ops = context.op_execution_context.run.run_config.get("ops") or {}
    return bool(((ops.get("raw_landing") or {}).get("config") or {}).get("force"))


def build_suite_checks(suite: quality.Suite) -> dg.AssetChecksDefinition:
    asset_key = dg.AssetKey(list(suite.asset_key))
    specs = [
        dg.AssetCheckSpec(
            name=check.name,
            asset=asset_key,
            description=f"[GE {suite.name}, {check.severity}] {check.description}",
            blocking=check.severity == "error",
        )
        for check in suite.checks
    ]

    @dg.multi_asset_check(specs=specs, name=f"ge_{suite.name}", can_subset=False)
    def _checks(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        raw_folder: RawFolderResource,
    ):
        with warehouse.connect() as con:
            outcome = quality.run_suite(
                con,
                suite,
                data_docs_root(warehouse),
                context.op_execution_context.run_id,
                raw_folder.folder,
                revalidate=forced_run(context),
            )
        for result in outcome.outcomes:
            metadata = {
                "unexpected_count": result.unexpected_count,
                "element_count": result.element_count,
                "unexpected_from_earlier_runs": result.carried,
                "ge_suite": suite.name,
                "failing_rows": dg.MetadataValue.md(
                    quality.failing_rows_markdown(result, suite.index_columns)
                ),
            }
            if outcome.data_docs_url:
                metadata["data_docs"] = dg.MetadataValue.url(outcome.data_docs_url)
            yield dg.AssetCheckResult(
                asset_key=asset_key,
                check_name=result.check_name,
                passed=result.passed,
                severity=_SEVERITY[result.severity],
                metadata=metadata,
            )

    return _checks


suite_checks = [build_suite_checks(suite) for suite in SUITES]
