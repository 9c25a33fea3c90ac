from target_zohodesk.target import main

main()
