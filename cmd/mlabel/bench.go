package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"mlabel/arch"
	"mlabel/enginebench"
	"mlabel/gemm"
)

func init() { commands = append(commands, newBenchCmd) }

func newBenchCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "bench",
		Short: "Measure the engine's speed",
		Args:  wrapArgs(cobra.NoArgs),
	}
	c.AddCommand(newBenchEngineCmd())
	return c
}

func newBenchEngineCmd() *cobra.Command {
	var (
		cfg    enginebench.Config
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "engine [--arch small] [--size 64] [--batch 32] [--json]",
		Short: "Training and inference images per second and peak memory of an architecture",
		Long: `Engine times training steps (forward, loss gradient, backward, optimizer
update) and inference (the fused evaluation network) on random data, and reports
the medians in images per second with the peak resident memory. bench/engine.sh
runs the same architecture in PyTorch in the same run and prints the ratios.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if err := gemm.Init(); err != nil {
				return err
			}
			r, err := enginebench.Run(cfg)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(r)
			}
			fmt.Fprintf(c.OutOrStdout(), "%s %d px batch %d, gemm %s, %d threads: train %.1f img/s, inference %.1f img/s, peak RSS %.0f MB, %.3f GFLOP/img\n",
				r.Arch, r.Size, r.Batch, r.Gemm, r.Threads, r.TrainImgS, r.InferImgS, r.PeakRSSMB, r.GFLOPs)
			for _, op := range r.Ops {
				fmt.Fprintf(c.OutOrStdout(), "  %-24s %-8s %8.2f ms/step\n", op.Op, op.Pass, op.Ms)
			}
			return nil
		},
	}
	c.Flags().StringVar(&cfg.Arch, "arch", "small", "architecture: "+arch.NameList(arch.Names()))
	c.Flags().IntVar(&cfg.Size, "size", 64, "image side in pixels")
	c.Flags().IntVar(&cfg.Batch, "batch", 32, "images per step")
	c.Flags().IntVar(&cfg.Labels, "labels", 10, "labels of the head")
	c.Flags().IntVar(&cfg.Steps, "steps", 10, "timed steps of each kind")
	c.Flags().BoolVar(&cfg.Breakdown, "breakdown", false, "also time each kind of layer")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
