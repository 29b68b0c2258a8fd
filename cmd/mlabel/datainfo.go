package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"mlabel/geo"
)

func newDataInfoCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "info IMAGE...",
		Short: "Print images' size, bands and, for a GeoTIFF, its CRS, pixel size in metres and footprint in lon/lat",
		Long: `Info reads each image's header, without its pixels, and prints its size
and bands and, for a georeferenced GeoTIFF, its CRS, its pixel size in
metres, its origin and raster type, its footprint's corners in longitude
and latitude (WGS 84) and its area. The CRSs read are EPSG:4326, Web
Mercator (3857) and the WGS 84 UTM zones (326xx north, 327xx south). An
image without georeferencing, or whose georeferencing cannot be read, is
described with a note saying so.`,
		Args: wrapArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			infos := make([]geo.Info, 0, len(args))
			for _, a := range args {
				info, err := geo.Describe(a)
				if err != nil {
					return err
				}
				infos = append(infos, info)
			}
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(infos)
			}
			for _, info := range infos {
				fmt.Fprintln(c.OutOrStdout(), info.Image)
				for _, l := range info.Report() {
					fmt.Fprintln(c.OutOrStdout(), "  "+l)
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the descriptions as JSON")
	return c
}
