from streamsuites.cli import main

raise SystemExit(main())
