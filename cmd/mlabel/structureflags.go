package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"mlabel/decide"
)

// structureFlags declare the labels' structure: groups and constraints as
// written on the command line.
type structureFlags struct {
	exclusive, atMostOne, implies, excludes []string
}

func (s *structureFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&s.exclusive, "exclusive", nil, "labels of which exactly one holds per image, comma-separated (e.g. clear,partly_cloudy,haze,cloudy); train ends the network in a softmax over them; repeatable")
	fs.StringArrayVar(&s.atMostOne, "at-most-one", nil, "labels of which one or none holds per image, comma-separated; train ends the network in a softmax over them and \"none\"; repeatable")
	fs.StringArrayVar(&s.implies, "implies", nil, "A=>B: an image decided A is also decided B; repeatable")
	fs.StringArrayVar(&s.excludes, "excludes", nil, "A=>B,C: an image decided A is decided none of B, C; repeatable")
}

// parse returns the declared structure, checked against labels when they
// are known, or nil when none is declared.
func (s *structureFlags) parse(labels []string) (*decide.Structure, error) {
	st, err := decide.ParseStructure(s.exclusive, s.atMostOne, s.implies, s.excludes, labels)
	if err != nil {
		return nil, usageError{Err: err}
	}
	return st, nil
}

// structureArgs writes st as the flags that declare it.
func structureArgs(st *decide.Structure) string {
	var parts []string
	for _, g := range st.Exclusive {
		parts = append(parts, "--exclusive "+strings.Join(g, ","))
	}
	for _, g := range st.AtMostOne {
		parts = append(parts, "--at-most-one "+strings.Join(g, ","))
	}
	for _, e := range st.Excludes {
		parts = append(parts, fmt.Sprintf("--excludes '%s=>%s'", e.If, strings.Join(e.Not, ",")))
	}
	for _, im := range st.Implies {
		parts = append(parts, fmt.Sprintf("--implies '%s=>%s'", im.If, im.Then))
	}
	return strings.Join(parts, " ")
}
