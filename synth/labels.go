// Package synth generates a synthetic, Planet-style multi-label data set of
// aerial farm tiles seen from straight above, with a fixed seed and no
// download.
//
// Each tile shows fields of several crops (maize rows, wheat with tramlines,
// rice paddies), bare ground, forest, water (a river or a pond), roads,
// buildings and, rarely, greenhouses or a burned patch of forest, under one
// of four weather conditions. Every tile carries exactly one weather label;
// a cloudy tile carries no other label, as in Kaggle's Planet data, because
// the ground cannot be seen. Ground labels are given only for what is
// visible: a feature hidden by clouds loses its label.
//
// Generate writes the tiles as JPEG files together with a tags CSV in the
// format of Planet's train_v2.csv; tile renders one tile in memory.
package synth

// Label indices into labelNames. The order is the vocabulary order.
const (
	lClear = iota
	lHaze
	lPartlyCloudy
	lCloudy
	lMaize
	lWheat
	lRice
	lBare
	lForest
	lWater
	lRoad
	lBuilding
	lGreenhouse
	lBurned
	numLabels
)

var labelNames = [numLabels]string{
	lClear:        "clear",
	lHaze:         "haze",
	lPartlyCloudy: "partly_cloudy",
	lCloudy:       "cloudy",
	lMaize:        "maize",
	lWheat:        "wheat",
	lRice:         "rice",
	lBare:         "bare_ground",
	lForest:       "forest",
	lWater:        "water",
	lRoad:         "road",
	lBuilding:     "building",
	lGreenhouse:   "greenhouse",
	lBurned:       "burned",
}

// minFrac is, per ground label, the fraction of the tile a feature must
// cover (and show through clouds) to be tagged. Thin features such as roads
// and small ones such as buildings need less.
var minFrac = [numLabels]float32{
	lMaize:      0.04,
	lWheat:      0.04,
	lRice:       0.04,
	lBare:       0.04,
	lForest:     0.04,
	lWater:      0.025,
	lRoad:       0.012,
	lBuilding:   0.006,
	lGreenhouse: 0.01,
	lBurned:     0.012,
}

// Labels returns the label vocabulary in its fixed order: the four weather
// labels first, then the ground labels.
func Labels() []string {
	return append([]string(nil), labelNames[:]...)
}

// WeatherLabels returns the weather labels. Every tile carries exactly one.
func WeatherLabels() []string {
	return append([]string(nil), labelNames[lClear:lCloudy+1]...)
}

// rareLabels returns the labels that appear on only a few percent of tiles.
func rareLabels() []string {
	return []string{labelNames[lGreenhouse], labelNames[lBurned]}
}

// Rule is a co-occurrence rule that every generated tile obeys: a tile
// tagged If is also tagged Then.
type Rule struct {
	If, Then string
}

// rules are the co-occurrence rules, as label indices.
var rules = [][2]int{
	{lBuilding, lRoad},
	{lGreenhouse, lRoad},
	{lBurned, lForest},
}

// Rules returns the co-occurrence rules the generator guarantees. Besides
// these, a cloudy tile carries no label other than cloudy.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = Rule{If: labelNames[r[0]], Then: labelNames[r[1]]}
	}
	return out
}

// labelSet is a set of label indices.
type labelSet uint32

func (s labelSet) has(l int) bool         { return s&(1<<l) != 0 }
func (s labelSet) with(l int) labelSet    { return s | 1<<l }
func (s labelSet) without(l int) labelSet { return s &^ (1 << l) }
func (s labelSet) ground() labelSet       { return s &^ (1<<(lCloudy+1) - 1) }
func (s labelSet) followsRules() bool {
	for _, r := range rules {
		if s.has(r[0]) && !s.has(r[1]) {
			return false
		}
	}
	return true
}

// names returns the labels of s in vocabulary order.
func (s labelSet) names() []string {
	var out []string
	for l := range numLabels {
		if s.has(l) {
			out = append(out, labelNames[l])
		}
	}
	return out
}
