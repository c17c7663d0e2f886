module example.com/layoutfix

go 1.22
