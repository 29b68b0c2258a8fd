#!/usr/bin/env bash
# Label-audit target on every seed: the per-seed core of bench/audit.sh as
# `mlabel audit` runs with no flags (the fold models train with no label
# structure, the tags are judged by the rules they prove, tendencies shown
# only), on seeds 1-6, with no retraining. Each seed flips one frequent tag
# on 40 of 800 synthetic 32 px tiles and audits them with 5 folds of 6
# epochs. It prints each seed's report, then a table of P@40 and R@80 per
# seed for confident learning with no structure, with the proven rules (the
# default) and with every rule the noisy tags nearly obey, tendencies too
# (the audit before tendencies were told apart), and whether the default
# meets the target (P@40 >= 0.5 and R@80 >= 0.6). About 5 minutes on 2
# cores. SEEDS="1 2" runs other seeds; EPOCHS=20 trains the fold models for
# 20 epochs, as mlabel audit does by default (about 18 minutes), its raw
# results saved as auditseeds-e20 (EPOCHS=N: auditseeds-eN).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
epochs=${EPOCHS:-6}
name=auditseeds
[ "$epochs" = 6 ] || name=auditseeds-e$epochs
record_results "$name" "$@"
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/auditbench" ./bench/auditbench
seeds=${SEEDS:-1 2 3 4 5 6}
for seed in $seeds; do
	echo "## synth, seed $seed"
	"$out/auditbench" -dir "$out/synth$seed" -count 800 -holdout 400 -tile 32 -epochs "$epochs" -flips 40 -seed "$seed" \
		-synth-structure=false -retrain=false 2>/dev/null | tee "$out/seed$seed.txt"
	rm -rf "$out/synth$seed"
	echo
done
echo "## every seed, $epochs epochs per fold"
echo
echo "| seed | flips flagged | P@40 none / proven / every rule | R@80 none / proven / every rule | target met (proven) |"
echo "|---|---|---|---|---|"
for seed in $seeds; do
	awk -v seed="$seed" -F'|' '
		/flips among them/ { split($0, w, " "); for (i = 1; i <= length(w); i++) if (w[i] == "of" && w[i+2] == "40") flagged = w[i-1] }
		$2 ~ /^ confident learning $/ { p0 = $4 + 0; r0 = $6 + 0 }
		$2 ~ /proven rules/ { p1 = $4 + 0; r1 = $6 + 0 }
		$2 ~ /tendencies too/ { p2 = $4 + 0; r2 = $6 + 0 }
		END {
			met = (p1 >= 0.5 && r1 >= 0.6) ? "yes" : "no"
			printf "| %s | %s of 40 | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %s |\n", seed, flagged, p0, p1, p2, r0, r1, r2, met
		}' "$out/seed$seed.txt"
done
