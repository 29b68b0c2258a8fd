module mlabel

go 1.26.8
